option(REMASK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(REMASK_BUILD_BENCH "Build the benchmarks in bench/" ON)

add_compile_options(-Wall -Wextra)
if(REMASK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# Where the Node reference tools (npm packages pinned in tools/node) live.
set(REMASK_NODE_DIR "${PROJECT_SOURCE_DIR}/tools/node")
set(REMASK_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python with numpy for reference scripts")
