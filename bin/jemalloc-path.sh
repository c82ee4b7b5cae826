#!/bin/sh
# Prints where jemalloc is (Debian/Ubuntu: apt install libjemalloc2), or nothing when it is not
# installed. npm start preloads it (LD_PRELOAD), as the Docker image and the systemd unit do: glibc's
# malloc keeps the memory of the buffers a load freed (RSS stays up long after the streams end),
# jemalloc hands it back to the system within seconds (bench/README.md "Memory").
for lib in /usr/lib/*-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2; do
  if [ -e "$lib" ]; then
    echo "$lib"
    exit 0
  fi
done
