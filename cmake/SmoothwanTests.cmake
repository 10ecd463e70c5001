# SPDX-License-Identifier: GPL-3.0-or-later
# smoothwan_add_test(<name> SOURCES ... [LIBRARIES ...] LABELS unit|contract|integration|qml
#                    [TIMEOUT s] [ARGS ...] [ENVIRONMENT ...] [RUN_SERIAL])
# One Qt Test executable per test, run offscreen with a timeout. A test whose initTestCase()
# skips (e.g. "needs root") is reported by ctest as skipped, not as passed.
set(SMOOTHWAN_TEST_ENVIRONMENT
    "QT_QPA_PLATFORM=offscreen"
    "QT_LOGGING_RULES=smoothwan.*.debug=true"
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/../tests/lsan.supp:print_suppressions=0")

function(smoothwan_add_test name)
    cmake_parse_arguments(T "RUN_SERIAL;NO_EXECUTABLE" "TIMEOUT;COMMAND_TARGET" "SOURCES;LIBRARIES;LABELS;ARGS;ENVIRONMENT;COMMAND" ${ARGN})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 60)
    endif()
    if(T_NO_EXECUTABLE)
        add_test(NAME ${name} COMMAND ${T_COMMAND})
    else()
        qt_add_executable(${name} ${T_SOURCES})
        target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBRARIES})
        target_compile_definitions(${name} PRIVATE SMOOTHWAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                   SMOOTHWAN_BINARY_DIR="${PROJECT_BINARY_DIR}")
        smoothwan_target_defaults(${name})
        add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
    endif()
    set_tests_properties(${name} PROPERTIES
        LABELS "${T_LABELS}"
        TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "${SMOOTHWAN_TEST_ENVIRONMENT};${T_ENVIRONMENT}"
        FAIL_REGULAR_EXPRESSION "ERROR: AddressSanitizer;ERROR: LeakSanitizer;runtime error:;Segmentation fault"
        SKIP_REGULAR_EXPRESSION "SKIP   : [A-Za-z_0-9:]*initTestCase\\(\\)")
    if(T_RUN_SERIAL)
        set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
    endif()
endfunction()
