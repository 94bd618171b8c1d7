from attunement.cli import main

main()
