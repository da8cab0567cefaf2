/* locsim's own client requests, for programs that run under `valgrind --tool=locsim`.
   SPDX-License-Identifier: GPL-2.0-or-later

   locsim also answers callgrind's requests (<valgrind/callgrind.h>: zero, toggle collection,
   dump), so a program brackets its measured passes the same way under either tool. Outside
   valgrind every request is a few no-op instructions. */
#ifndef LOCSIM_H
#define LOCSIM_H

#include <valgrind/valgrind.h>

typedef enum {
   /* args: start address, length in bytes. The range is backed by 2 MiB pages (the caller
      checked AnonHugePages): its translations use the 2 MiB TLB entries. Forgotten when the
      range is unmapped. */
   LOCSIM_USERREQ_DECLARE_HUGE = VG_USERREQ_TOOL_BASE('L', 'S'),
   /* args: start address, length: the range is back on 4 KiB pages. */
   LOCSIM_USERREQ_FORGET_HUGE,
} Locsim_ClientRequest;

#define LOCSIM_DECLARE_HUGE_PAGES(addr, len) \
   VALGRIND_DO_CLIENT_REQUEST_STMT(LOCSIM_USERREQ_DECLARE_HUGE, (addr), (len), 0, 0, 0)
#define LOCSIM_FORGET_HUGE_PAGES(addr, len) \
   VALGRIND_DO_CLIENT_REQUEST_STMT(LOCSIM_USERREQ_FORGET_HUGE, (addr), (len), 0, 0, 0)

#endif
