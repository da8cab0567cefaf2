/// A /proc/self/maps of a PIE executable, trimmed, with the awkward cases: a path with
/// spaces, a deleted file, anonymous regions, a guard page, the pseudo-regions.
enum MapsFixture {
    static let text = """
        55d0c4a00000-55d0c4a31000 r--p 00000000 fe:00 5327295                    /work/bin/locality
        55d0c4a31000-55d0c4c21000 r-xp 00031000 fe:00 5327295                    /work/bin/locality
        55d0c4c21000-55d0c4c3c000 rw-p 00221000 fe:00 5327295                    /work/bin/locality
        55d0c5e8e000-55d0c5eb0000 rw-p 00000000 00:00 0                          [heap]
        7f2c5c000000-7f2c5c021000 rw-p 00000000 00:00 0 
        7f2c5c021000-7f2c60000000 ---p 00000000 00:00 0 
        7f2c5e600000-7f2c5e628000 r--p 00000000 08:01 1835017                    /usr/lib/x86_64-linux-gnu/libc.so.6
        7f2c5e628000-7f2c5e7bd000 r-xp 00028000 08:01 1835017                    /usr/lib/x86_64-linux-gnu/libc.so.6
        7f2c5e900000-7f2c5e901000 rw-s 00000000 00:05 4242                       /dev/shm/my shared file (deleted)
        7ffd1c28b000-7ffd1c2ac000 rw-p 00000000 00:00 0                          [stack]
        7ffd1c3c6000-7ffd1c3ca000 r--p 00000000 00:00 0                          [vvar]
        7ffd1c3ca000-7ffd1c3cc000 r-xp 00000000 00:00 0                          [vdso]
        ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]

        """
}
