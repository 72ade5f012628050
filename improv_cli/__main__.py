from improv_cli.cli import main

main()
