// libgpiod's one header, for either generation: 1.x (libgpiod.so.2) or 2.x (libgpiod.so.3), whichever
// pkg-config's include path finds first. Their APIs differ; Sources/Devices compiles the matching
// call table (GPIOD1.swift or GPIOD2.swift) under the LIBGPIOD_V2 condition Package.swift sets.
#include <gpiod.h>
