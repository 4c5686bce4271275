from earmark.cli import entry

if __name__ == "__main__":  # not when a child process of earmark's imports this module
    entry()
