from orgraph.cli.demo_data import main

main()
