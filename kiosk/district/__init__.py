"""The street office (街道) view: every store of the database side by side, read-only.

See kiosk.district.service for the design: who the district users are, how they sign in, what
the view shows and why.
"""
