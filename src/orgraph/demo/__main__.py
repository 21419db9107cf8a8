from orgraph.demo.cli import main

main()
