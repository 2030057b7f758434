"""Documents made from reports: the outcome report as PDF (``report_pdf``), its charts as PNG
(``outcome_charts``) and the rows the PDF, CSV and JSON outputs share (``outcome_rows``)."""
