from resource_bot.cli import main

main()
