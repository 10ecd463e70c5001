# SPDX-License-Identifier: GPL-3.0-or-later
# The transitive violation (ui -> middle -> platform_linux) must stop the configure step with
# a message naming the rule; a project without a violation must configure.
set(dir ${SOURCE_DIR}/tests/unit/deprules)
# The same generator and build program as the main build: a fresh machine need not have make.
set(generator -G ${GENERATOR} -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} ${generator} -S ${dir} -B ${WORK_DIR}/bad -DSMOOTHWAN_CMAKE_DIR=${SOURCE_DIR}/cmake
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
    message(FATAL_ERROR "a project that breaks a dependency rule configured without error")
endif()
if(NOT err MATCHES "ui must not link platform_linux")
    message(FATAL_ERROR "the failure does not name the rule:\n${err}")
endif()
file(WRITE ${WORK_DIR}/ok/CMakeLists.txt
     "cmake_minimum_required(VERSION 3.22)\nproject(Ok LANGUAGES NONE)\ninclude(${SOURCE_DIR}/cmake/SmoothwanTargets.cmake)\nadd_library(a INTERFACE)\nadd_library(b INTERFACE)\ntarget_link_libraries(a INTERFACE b)\nsmoothwan_forbid(b a)\nsmoothwan_check_dependency_rules()\n")
execute_process(COMMAND ${CMAKE_COMMAND} ${generator} -S ${WORK_DIR}/ok -B ${WORK_DIR}/ok/build
                RESULT_VARIABLE rc2 OUTPUT_QUIET ERROR_VARIABLE err2)
if(NOT rc2 EQUAL 0)
    message(FATAL_ERROR "a project that keeps the rules failed to configure:\n${err2}")
endif()
message(STATUS "dependency rules: violation refused, clean project accepted")
