# remask_add_area(NAME DEPS...): one static library per folder of src/, built from every
# .cpp in it, so adding a file never touches CMake.
function(remask_add_area name)
  file(GLOB_RECURSE _sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  if(NOT _sources)
    return()
  endif()
  add_library(remask_${name} STATIC ${_sources})
  target_include_directories(remask_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  # Areas that have no sources yet are skipped, so dependencies on them are too.
  foreach(_dep IN LISTS ARGN)
    if(NOT _dep MATCHES "^remask_" OR TARGET ${_dep})
      target_link_libraries(remask_${name} PUBLIC ${_dep})
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY REMASK_AREAS remask_${name})
endfunction()

# remask_add_tests(NAME LIBS...): one GoogleTest binary per tests/ folder, each case a ctest test.
function(remask_add_tests name)
  file(GLOB_RECURSE _sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp"
    "${CMAKE_CURRENT_SOURCE_DIR}/*_support.cpp")
  if(NOT _sources)
    return()
  endif()
  add_executable(${name}_tests ${_sources})
  target_link_libraries(${name}_tests PRIVATE ${ARGN} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name}_tests PRIVATE
    REMASK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    REMASK_BINARY_DIR="${PROJECT_BINARY_DIR}"
    REMASK_PYTHON="${REMASK_PYTHON}"
    REMASK_NODE_DIR="${REMASK_NODE_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name}_tests DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "REMASK_BIN=$<TARGET_FILE:remask>")
endfunction()
