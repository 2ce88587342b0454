from autorelease.cli.entry import run

run()
