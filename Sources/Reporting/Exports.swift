// NumberFormat lived here before it moved to Formatting: whoever imports Reporting still sees it.
@_exported import Formatting
