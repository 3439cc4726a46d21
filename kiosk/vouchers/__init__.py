"""Service vouchers (服务券) and the partners who honour them (a fruit stall, the property company).

A voucher product (kiosk.inventory, kind "voucher") has terms (VoucherTerms): the partner who
honours it, its face value, how long it is valid and whether it belongs to the household or to
the bearer. Redeeming it at the till makes one Voucher per unit, with its own number and signed
QR payload (kiosk.vouchers.codes), printed as its own slip. A partner signs in with a PIN,
scans a slip and uses it (核销) once; the store settles each partner's used vouchers per period.
"""
