# Writes version.h with the current git commit. Run at every build (not only at configure
# time), so --version never names a stale commit; configure_file leaves the file untouched
# when nothing changed, so nothing recompiles needlessly.
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE WHATCAR_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(WHATCAR_GIT_COMMIT AND dirty)
  string(APPEND WHATCAR_GIT_COMMIT "-dirty")
endif()
configure_file(${SOURCE_DIR}/src/cli/version.h.in ${OUTPUT} @ONLY)
