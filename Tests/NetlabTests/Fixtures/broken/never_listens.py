# Broken: prints a message and waits, but never binds the port it was given.
import sys, time
print('starting up on port', sys.argv[-1])
time.sleep(60)
