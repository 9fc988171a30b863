"""`python -m bench.rusage CMD...`: run CMD and print its peak RSS in bytes. A small
process forks CMD, so the peak is CMD's own and not the large bench process's."""
import resource
import subprocess
import sys

subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
