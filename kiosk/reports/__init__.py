"""Reports of a store: the invariants checked (``verify``: `kiosk verify`) and the period reports
(``periods``, ``service``: points, participation and goods figures from grouped SQL; ``present``:
the same figures worded as tables, headline and charts; ``charts``: matplotlib SVG; ``exports``:
XLSX, CSV and A4 PDF; ``views``: the /reports/ screen; ``commands``: `kiosk report`)."""
