option(REMASK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(REMASK_BUILD_BENCH "Build the benchmarks in bench/" ON)
option(REMASK_FUZZ "Build the libFuzzer targets in fuzz/ (clang; every object gets fuzzer coverage)" OFF)

add_compile_options(-Wall -Wextra)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # clang at -O1 reports each `omp simd` loop it leaves scalar; not a defect.
  add_compile_options(-Wno-pass-failed)
endif()
# The baseline is x86-64 with AVX2/FMA/F16C; AVX-512 kernels are compiled separately and
# chosen at run time (src/kernels/cpu/cpu_features.h).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  add_compile_options(-mavx2 -mfma -mf16c)
endif()
if(REMASK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
# One tree serves the sanitizer tests and the fuzz targets: objects carry libFuzzer's
# coverage hooks (inert outside a fuzzer), only fuzz/ executables link its driver.
if(REMASK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "REMASK_FUZZ needs clang (the asan preset sets CMAKE_CXX_COMPILER=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Where the Node reference tools (npm packages pinned in tools/node) live.
set(REMASK_NODE_DIR "${PROJECT_SOURCE_DIR}/tools/node")
set(REMASK_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python with numpy for reference scripts")
