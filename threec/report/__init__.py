"""The data-quality report team managers read: THREEC_OUTPUT_DIR/dq/index.html."""

from threec.report.page import write_report

__all__ = ["write_report"]
