#!/bin/sh
# ABI check of the built shared library:
#  - every exported (dynamic, defined) symbol starts with ccrnn_ (the version node
#    nodes CCRNN_x.y aside), and none with ccrnn__ (the library's internal prefix);
#  - every function declared CCRNN_API in the public header is exported;
#  - the soname is the expected one.
# Usage: check-exports.sh LIBRARY HEADER SONAME [NM] [READELF]
# HEADER or SONAME given as - skips that part (the checker's own test uses it).
set -u
lib=$1 header=$2 soname=$3 nm=${4:-nm} readelf=${5:-readelf}
fail=0

exported=$("$nm" -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
if [ -z "$exported" ]; then
    echo "FAIL: $nm found no exported symbols in $lib"
    exit 1
fi
for sym in $exported; do
    case $sym in
        CCRNN_[0-9]*.[0-9]*) ;; # the version script's nodes
        ccrnn__*) echo "FAIL: internal symbol exported: $sym"; fail=1 ;;
        ccrnn_*) ;;
        *) echo "FAIL: exported symbol without the ccrnn_ prefix: $sym"; fail=1 ;;
    esac
done

count=0
if [ "$header" != - ]; then
    declared=$(grep -o '^CCRNN_API[^(]*(' "$header" | sed 's/($//; s/.*[ *]//' | sort -u)
    for fn in $declared; do
        count=$((count + 1))
        echo "$exported" | grep -qx "$fn" || { echo "FAIL: declared but not exported: $fn"; fail=1; }
    done
    if [ "$count" -lt 10 ]; then
        echo "FAIL: found only $count CCRNN_API declarations in $header"
        fail=1
    fi
fi

got=$("$readelf" -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
if [ "$soname" != - ] && [ "$got" != "$soname" ]; then
    echo "FAIL: soname is '$got', expected '$soname'"
    fail=1
fi

if [ "$fail" -eq 0 ]; then
    nexp=$(echo "$exported" | grep -c '^ccrnn_')
    echo "exports: $nexp ccrnn_ symbols, all $count header functions exported, soname $got"
    echo "1 passed, 0 failed"
else
    echo "0 passed, 1 failed"
fi
exit "$fail"
