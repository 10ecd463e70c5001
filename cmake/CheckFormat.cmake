# SPDX-License-Identifier: GPL-3.0-or-later
# cmake -DSOURCE_DIR=<dir> -DCLANG_FORMAT=<exe> -P CheckFormat.cmake
# Fails, listing the files, when any C++ source of ours differs from .clang-format's layout.
file(GLOB_RECURSE sources
    ${SOURCE_DIR}/app/*.cpp ${SOURCE_DIR}/app/*.h
    ${SOURCE_DIR}/backend/*.cpp ${SOURCE_DIR}/backend/*.h
    ${SOURCE_DIR}/platform/*.cpp ${SOURCE_DIR}/platform/*.h
    ${SOURCE_DIR}/qml/*.cpp ${SOURCE_DIR}/qml/*.h
    ${SOURCE_DIR}/tests/*.cpp ${SOURCE_DIR}/tests/*.h
    ${SOURCE_DIR}/bench/*.cpp ${SOURCE_DIR}/bench/*.h
    ${SOURCE_DIR}/relay/*.cpp ${SOURCE_DIR}/relay/*.h
    ${SOURCE_DIR}/tools/*.cpp ${SOURCE_DIR}/tools/*.h)
set(bad "")
foreach(f IN LISTS sources)
    execute_process(COMMAND ${CLANG_FORMAT} --style=file --dry-run --Werror ${f}
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(NOT rc EQUAL 0)
        file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
        list(APPEND bad ${rel})
    endif()
endforeach()
list(LENGTH sources total)
if(bad)
    string(REPLACE ";" "\n  " bad "${bad}")
    message(FATAL_ERROR "not formatted (run clang-format -i):\n  ${bad}")
endif()
message(STATUS "${total} files follow .clang-format")
