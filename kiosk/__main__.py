from kiosk.cli import main

main(prog_name="kiosk")
