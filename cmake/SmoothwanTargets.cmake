# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers shared by every target of ours: warnings, sanitizers, the dependency rules.

set(SMOOTHWAN_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/..)

if(SMOOTHWAN_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

# Real libFuzzer (Clang only; scripts/run-fuzzers.sh): every target of ours gets libFuzzer's
# coverage instrumentation, so the fuzzer sees the branches of the code it feeds (the decoder, the
# loader), not just those of the fuzz target; tests/fuzz links the fuzzer's main into the targets.
option(SMOOTHWAN_LIBFUZZER "Link the fuzz targets with libFuzzer (needs Clang)" OFF)
if(SMOOTHWAN_LIBFUZZER)
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Flags for code we write (not for generated moc/qrc code beyond what the target compiles).
function(smoothwan_target_defaults target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                             -Wcast-align -Wformat=2)
    if(SMOOTHWAN_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS QT_NO_URL_CAST_FROM_STRING
                                                 QT_NO_FOREACH QT_USE_QSTRINGBUILDER
                                                 SMOOTHWAN_VERSION="${PROJECT_VERSION}")
    set_property(GLOBAL APPEND PROPERTY SMOOTHWAN_TARGETS ${target})
endfunction()

# smoothwan_forbid(<target> <forbidden>...): fail the configure step when <target> links,
# directly or through another target, any of <forbidden>.
function(smoothwan_forbid target)
    set_property(GLOBAL APPEND PROPERTY SMOOTHWAN_RULES "${target}|${ARGN}")
endfunction()

function(_smoothwan_collect_links target out)
    set(seen "${${out}}")
    if(NOT TARGET ${target})
        return()
    endif()
    get_target_property(aliased ${target} ALIASED_TARGET)
    if(aliased)
        set(target ${aliased})
    endif()
    get_target_property(libs ${target} LINK_LIBRARIES)
    get_target_property(ilibs ${target} INTERFACE_LINK_LIBRARIES)
    foreach(lib IN LISTS libs ilibs)
        if(lib MATCHES "^\\$<LINK_ONLY:(.*)>$")
            set(lib ${CMAKE_MATCH_1})
        endif()
        if(lib AND NOT lib MATCHES "NOTFOUND" AND NOT lib IN_LIST seen)
            list(APPEND seen ${lib})
            set(${out} "${seen}")
            _smoothwan_collect_links(${lib} ${out})
            set(seen "${${out}}")
        endif()
    endforeach()
    set(${out} "${seen}" PARENT_SCOPE)
endfunction()

function(smoothwan_check_dependency_rules)
    get_property(rules GLOBAL PROPERTY SMOOTHWAN_RULES)
    foreach(rule IN LISTS rules)
        string(REPLACE "|" ";" parts "${rule}")
        list(POP_FRONT parts target)
        string(REPLACE " " ";" parts "${parts}")
        if(NOT TARGET ${target})
            continue()
        endif()
        set(links "")
        _smoothwan_collect_links(${target} links)
        foreach(forbidden IN LISTS parts)
            if(forbidden IN_LIST links)
                message(FATAL_ERROR "Dependency rule broken: ${target} must not link ${forbidden} (see DESIGN.md)")
            endif()
        endforeach()
    endforeach()
endfunction()
