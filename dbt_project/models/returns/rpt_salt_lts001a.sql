{#-
    SALT LTS001a (docs/returns/salt.md): people accessing long-term support at any point in the
    return's year: a long-term service (int_cld_lts_services) starting on or before the year's
    last day, open or ending on or after its first day; alive at the year start (no date of
    death, or on or after it).
    Each person is counted once (macro salt_lts001), in their highest support setting (lowest setting_rank of
    seed cld_lts_settings over those services: Nursing > Residential > Community: Direct
    payment > Community: CASSR managed personal budget > Community: CASSR commissioned
    support > Community: unknown delivery mechanism > Prison), by Primary_Support_Reason
    (none recorded: 'Unknown') x age band at the year end; unknown age and under-18s are
    left out. Only combinations with at least one person are listed.
-#}
{{ salt_lts001('period_start') }}
