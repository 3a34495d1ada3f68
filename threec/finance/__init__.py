"""Finance outputs: the package-cost and savings workbook (xlsx) read from the built warehouse.

The figures themselves are computed in dbt (marts.fct_packages, rpt_savings,
rpt_direct_payments, rpt_package_costs; see docs/finance.md); this package only lays
them out for finance teams.
"""

from .workbook import write_finance_workbook

__all__ = ["write_finance_workbook"]
