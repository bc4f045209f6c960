"""`python -m bluekit` runs the command-line interface."""

if __name__ == "__main__":
    from bluekit.cli import main

    main()
