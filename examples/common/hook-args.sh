# Sourced by every examples/NAME/reproduce.sh (the hooks of docs/results/reproduce.sh):
# the options all hooks take, parsed once.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../common/hook-args.sh" "$@"
#
# sets quick (0/1) and jobs (default 1) from --quick, --jobs N, --jobs=N; -h/--help
# prints the hook's header comment; anything else is an error naming the hook.
# hook_program NAME: sets prog to $build/examples/NAME/NAME and stops unless it is built.
hook_name="$(basename "$(dirname "$0")")/$(basename "$0")"
quick=0
jobs=1
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --jobs) jobs=${2:?--jobs needs a number}; shift ;;
        --jobs=*) jobs=${1#--jobs=} ;;
        -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        *) echo "$hook_name: unknown option '$1' (--quick, --jobs N)" >&2; exit 2 ;;
    esac
    shift
done

hook_program() {
    prog="$build/examples/$1/$1"
    [ -x "$prog" ] || { echo "$hook_name: build first ($prog not found)" >&2; exit 1; }
}
