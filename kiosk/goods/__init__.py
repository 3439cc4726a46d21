"""Goods in (入库: purchases and donations, with batches and expiry dates) and goods out
(出库 / 报损: damaged, expired, internal use), and the stock lists of the staff home screen."""
