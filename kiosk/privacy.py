"""Masking what a queue may see: names on screens and receipts."""


def mask_name(name):
    """张三华 → 张*华, 张三 → 张*, 欧阳娜娜 → 欧**娜; an empty name stays empty."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
