# atrium_module(NAME <name> SOURCES ... DEPS <atrium modules> LIBS <third-party targets> [TEST_LIBS ...] [TEST_LABEL unit|integration])
# Creates the static library atrium_<name> and, when <name>_test.cc files exist, the test binary <name>_test,
# registered with ctest under its label. The test writes a gtest JSON report for scripts/test_summary.py.
function(atrium_module)
  cmake_parse_arguments(M "" "NAME;TEST_LABEL" "SOURCES;DEPS;LIBS;TESTS;TEST_LIBS;PCH" ${ARGN})
  set(target atrium_${M_NAME})
  add_library(${target} STATIC ${M_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(deps "")
  foreach(d ${M_DEPS})
    list(APPEND deps atrium_${d})
  endforeach()
  target_link_libraries(${target} PUBLIC ${deps} ${M_LIBS})
  set_property(GLOBAL APPEND PROPERTY ATRIUM_MODULES ${M_NAME})
  set_property(GLOBAL PROPERTY ATRIUM_DEPS_${M_NAME} "${M_DEPS}")
  if(M_PCH)
    target_precompile_headers(${target} PRIVATE ${M_PCH})
  endif()
  if(M_TESTS)
    if(NOT M_TEST_LABEL)
      set(M_TEST_LABEL unit)
    endif()
    add_executable(${M_NAME}_test ${M_TESTS})
    target_link_libraries(${M_NAME}_test PRIVATE ${target} ${M_TEST_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
    if(M_PCH)
      target_precompile_headers(${M_NAME}_test REUSE_FROM ${target})
    endif()
    atrium_add_gtest(${M_NAME}_test ${M_TEST_LABEL})
  endif()
endfunction()

# Registers a gtest binary with ctest; each run leaves test-results/<name>.json.
function(atrium_add_gtest name label)
  add_test(NAME ${name}
           COMMAND ${name} --gtest_output=json:${CMAKE_BINARY_DIR}/test-results/${name}.json
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS ${label}
                       ENVIRONMENT "ATRIUM_SOURCE_DIR=${PROJECT_SOURCE_DIR};ATRIUM_BUILD_DIR=${CMAKE_BINARY_DIR}")
  if(label STREQUAL "integration")
    # Integration tests share the real clusters (one node, which workload_ops_test drains) and run one at a time
    # even under `ctest -j`.
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK atrium_real_clusters)
  endif()
endfunction()
