// Linux kernel interfaces that Glibc's Swift module map leaves out.
#include <sys/signalfd.h>
