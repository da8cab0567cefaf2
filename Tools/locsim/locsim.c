/* locsim: a valgrind tool that simulates the data TLBs and every data-cache level.
   SPDX-License-Identifier: GPL-2.0-or-later

   Copyright (C) 2026 the Locality authors.

   This program is free software; you can redistribute it and/or modify it under the terms
   of the GNU General Public License as published by the Free Software Foundation; either
   version 2 of the License, or (at your option) any later version. It links valgrind's
   core (GPL-2.0). See COPYING.

   What it models, for every data load and store of the client (SIMD, dirty helpers, CAS and
   accesses that straddle two lines or two pages included):
     - the data TLBs: an L1 dTLB and an L2 TLB, each with separate 4 KiB and 2 MiB entries
       where the CPU has them (else the 2 MiB translations share the 4 KiB entries), LRU;
       a miss in the L2 TLB is a page walk. Pages are 4 KiB, except ranges the client
       declares as 2 MiB-backed (locsim.h);
     - the data caches D1, an optional L2 and the last level (LL), write-allocate, LRU, each
       level looked up only on a miss in the level above, as callgrind does.
   An access that touches two lines (or pages) counts as one access, and as one miss if
   either misses — callgrind's convention, so that its D1 and LL counts can be compared.
   A load and a store of the same address and size by one instruction (`add [m], r`) are
   one "modify" access, counted as a write, as callgrind counts it.

   The client brackets what it measures with callgrind's requests: ZERO_STATS, TOGGLE_COLLECT
   and DUMP_STATS_AT(name). The simulation runs all the time (so caches and TLBs are warm
   whatever is collected); only the counting is switched. Each dump is written as
   OUT.1, OUT.2, … in callgrind's format (`desc:`, `events:`, `summary:` lines). */

#include "pub_tool_basics.h"
#include "pub_tool_tooliface.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcfile.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"
#include "valgrind.h"
#include "callgrind.h"
#include "locsim.h"

/* ---------------------------------------------------------------- geometry and state */

/* One LRU set-associative array of tags: a cache (tags are line numbers) or a TLB (tags are
   page numbers). Way 0 of a set is its most recently used entry. */
typedef struct {
   Bool   present;
   UInt   sets, ways;
   ULong  set_mask;       /* sets - 1 when sets is a power of two, else 0 (then modulo) */
   ULong* tags;           /* sets × ways; EMPTY where unused */
} LruArray;

#define EMPTY (~0ULL)

/* A cache level: its array plus its line size. */
typedef struct {
   LruArray array;
   ULong    size, line;
   UInt     line_shift;
} Cache;

static Cache d1, l2, ll;
/* TLBs: [0] 4 KiB entries, [1] 2 MiB entries (absent: 2 MiB translations use [0]). */
static LruArray dtlb1[2], stlb[2];

static const HChar* clo_out_file = NULL;
static const HChar* clo_d1 = NULL;
static const HChar* clo_l2 = NULL;
static const HChar* clo_ll = NULL;
static const HChar* clo_dtlb1 = NULL;
static const HChar* clo_dtlb1_2m = NULL;
static const HChar* clo_stlb = NULL;
static const HChar* clo_stlb_2m = NULL;

/* Ranges the client declared as backed by 2 MiB pages, [start, end). Few: linear search. */
#define MAX_HUGE_RANGES 64
static Addr huge_start[MAX_HUGE_RANGES], huge_end[MAX_HUGE_RANGES];
static UInt n_huge = 0;

/* The counted events, in dump order: callgrind's names for what callgrind also counts, then
   L2 misses (reads and writes; only with --L2), L1 dTLB misses and page walks (loads and
   stores together). */
enum { EV_Ir, EV_Dr, EV_Dw, EV_D1mr, EV_D1mw, EV_L2m, EV_DLmr, EV_DLmw, EV_DTLB1m, EV_DTLB2m, EV_COUNT };
static const HChar* event_names[EV_COUNT] = {
   "Ir", "Dr", "Dw", "D1mr", "D1mw", "L2m", "DLmr", "DLmw", "DTLB1m", "DTLB2m" };

static ULong counts[EV_COUNT];
static Bool  collecting = False;
/* Instructions executed since start, counted by inline IR in every superblock; the Ir of a
   collection window is the difference of two readings, so the hot path never tests `collecting`. */
static ULong ir_total = 0;
static ULong ir_window_start = 0;
static UInt  dump_number = 0;

/* ---------------------------------------------------------------- the LRU arrays */

static void lru_init(LruArray* a, ULong entries, ULong ways, const HChar* what) {
   if (ways == 0) ways = entries;                  /* fully associative */
   if (entries == 0 || entries % ways != 0) {
      VG_(fmsg)("locsim: %s: %llu entries are not a multiple of %llu ways\n", what, entries, ways);
      VG_(exit)(2);
   }
   a->present = True;
   a->ways = (UInt)ways;
   a->sets = (UInt)(entries / ways);
   a->set_mask = (a->sets & (a->sets - 1)) == 0 ? a->sets - 1 : 0;
   a->tags = VG_(malloc)("locsim.lru", entries * sizeof(ULong));
   for (ULong i = 0; i < entries; i++) a->tags[i] = EMPTY;
}

/* Looks `tag` up and makes it the set's most recent entry; True on a hit. */
static inline Bool lru_ref(LruArray* a, ULong tag) {
   ULong set = a->sets == 1 ? 0 : (a->set_mask ? (tag & a->set_mask) : (tag % a->sets));
   ULong* s = a->tags + set * a->ways;
   if (LIKELY(s[0] == tag)) return True;
   UInt w;
   for (w = 1; w < a->ways; w++) {
      if (s[w] == tag) break;
   }
   Bool hit = w < a->ways;
   if (!hit) w = a->ways - 1;                      /* evict the least recently used */
   for (; w > 0; w--) s[w] = s[w - 1];
   s[0] = tag;
   return hit;
}

static inline Bool cache_ref(Cache* c, Addr a, UWord size) {
   ULong first = a >> c->line_shift, last = (a + size - 1) >> c->line_shift;
   Bool hit = lru_ref(&c->array, first);
   /* Both lines are always looked up (`&`, not `&&`). */
   for (ULong line = first + 1; line <= last; line++) hit = lru_ref(&c->array, line) & hit;
   return hit;
}

/* ---------------------------------------------------------------- the simulation */

static inline Bool in_huge_range(Addr a) {
   for (UInt i = 0; i < n_huge; i++) {
      if (a >= huge_start[i] && a < huge_end[i]) return True;
   }
   return False;
}

/* One page's translation: returns 0 (L1 dTLB hit), 1 (L2 TLB hit) or 2 (page walk). */
static inline UInt translate(Addr a) {
   Bool huge = n_huge > 0 && in_huge_range(a);
   /* A 2 MiB translation that shares the 4 KiB entries is tagged apart from them. */
   ULong tag = huge ? ((a >> 21) | (1ULL << 62)) : (a >> 12);
   LruArray* level1 = huge && dtlb1[1].present ? &dtlb1[1] : &dtlb1[0];
   if (lru_ref(level1, tag)) return 0;
   LruArray* level2 = huge && stlb[1].present ? &stlb[1] : &stlb[0];
   return lru_ref(level2, tag) ? 1 : 2;
}

static inline void simulate(Addr a, UWord size, Bool write) {
   Addr end = a + size - 1;
   UInt tlb = translate(a);
   /* The last byte's page, if it is another one (of either size). */
   if (UNLIKELY(((a ^ end) >> 12) != 0)) {
      UInt second = translate(end);
      if (second > tlb) tlb = second;
   }
   UInt level = 0;                                 /* 0: D1 hit, 1: D1 miss, 2: L2 miss, 3: LL miss */
   if (!cache_ref(&d1, a, size)) {
      level = 1;
      if (l2.array.present && !cache_ref(&l2, a, size)) level = 2;
      if ((level == 2 || !l2.array.present) && !cache_ref(&ll, a, size)) level = 3;
   }
   if (!collecting) return;
   UInt w = write ? 1 : 0;
   counts[EV_Dr + w]++;
   if (level >= 1) counts[EV_D1mr + w]++;
   if (level >= 2 && l2.array.present) counts[EV_L2m]++;
   if (level == 3) counts[EV_DLmr + w]++;
   if (tlb >= 1) counts[EV_DTLB1m]++;
   if (tlb == 2) counts[EV_DTLB2m]++;
}

static VG_REGPARM(2) void on_read(Addr a, UWord size) { simulate(a, size, False); }
static VG_REGPARM(2) void on_write(Addr a, UWord size) { simulate(a, size, True); }

/* ---------------------------------------------------------------- instrumentation */

typedef struct {
   IRExpr* ea;
   Int     size;
   Bool    write;
} Access;

/* The accesses of the instruction being instrumented, emitted when it ends. */
#define MAX_ACCESSES 16
typedef struct {
   IRSB*  out;
   Access pending[MAX_ACCESSES];
   Int    n_pending;
   ULong  instructions;                            /* not yet added to ir_total */
} State;

static void emit_access(IRSB* out, IRExpr* ea, Int size, Bool write, IRExpr* guard) {
   IRDirty* di = unsafeIRDirty_0_N(
      2, write ? "locsim_write" : "locsim_read",
      VG_(fnptr_to_fnentry)(write ? (void*)&on_write : (void*)&on_read),
      mkIRExprVec_2(ea, mkIRExpr_HWord((HWord)size)));
   if (guard) di->guard = guard;
   addStmtToIRSB(out, IRStmt_Dirty(di));
}

static void flush_accesses(State* st) {
   for (Int i = 0; i < st->n_pending; i++) {
      emit_access(st->out, st->pending[i].ea, st->pending[i].size, st->pending[i].write, NULL);
   }
   st->n_pending = 0;
}

/* ir_total += n, inline (no call). */
static void flush_instructions(State* st) {
   if (st->instructions == 0) return;
   IRExpr* where = mkIRExpr_HWord((HWord)&ir_total);
   IRTemp before = newIRTemp(st->out->tyenv, Ity_I64);
   IRTemp after = newIRTemp(st->out->tyenv, Ity_I64);
   addStmtToIRSB(st->out, IRStmt_WrTmp(before, IRExpr_Load(Iend_LE, Ity_I64, where)));
   addStmtToIRSB(st->out, IRStmt_WrTmp(after, IRExpr_Binop(Iop_Add64, IRExpr_RdTmp(before),
                                                           IRExpr_Const(IRConst_U64(st->instructions)))));
   addStmtToIRSB(st->out, IRStmt_Store(Iend_LE, where, IRExpr_RdTmp(after)));
   st->instructions = 0;
}

/* Accesses wider than a line (a dirty helper's FXSAVE area) are clamped to one line, as
   callgrind does: the simulation is of data movement, not of such helpers' internals. */
static Int clamp_size(Int size) { return size > (Int)d1.line ? (Int)d1.line : size; }

static void add_access(State* st, IRExpr* ea, Int size, Bool write) {
   size = clamp_size(size);
   if (write && st->n_pending > 0) {
      Access* last = &st->pending[st->n_pending - 1];
      if (!last->write && last->size == size && eqIRAtom(last->ea, ea)) {
         last->write = True;                       /* a modify: one access, counted as a write */
         return;
      }
   }
   if (st->n_pending == MAX_ACCESSES) flush_accesses(st);
   st->pending[st->n_pending++] = (Access){ ea, size, write };
}

static IRSB* locsim_instrument(VgCallbackClosure* closure, IRSB* in, const VexGuestLayout* layout,
                               const VexGuestExtents* vge, const VexArchInfo* archinfo_host,
                               IRType gWordTy, IRType hWordTy) {
   if (gWordTy != hWordTy) VG_(tool_panic)("locsim: host and guest word sizes differ");
   State st = { .out = deepCopyIRSBExceptStmts(in), .n_pending = 0, .instructions = 0 };
   Int i = 0;
   /* The preamble before the first IMark is copied as it is. */
   for (; i < in->stmts_used && in->stmts[i]->tag != Ist_IMark; i++) addStmtToIRSB(st.out, in->stmts[i]);

   for (; i < in->stmts_used; i++) {
      IRStmt* s = in->stmts[i];
      if (!s || s->tag == Ist_NoOp) continue;
      switch (s->tag) {
      case Ist_IMark:
         flush_accesses(&st);
         st.instructions++;
         break;
      case Ist_WrTmp:
         if (s->Ist.WrTmp.data->tag == Iex_Load) {
            IRExpr* load = s->Ist.WrTmp.data;
            add_access(&st, load->Iex.Load.addr, sizeofIRType(load->Iex.Load.ty), False);
         }
         break;
      case Ist_Store: {
         IRType type = typeOfIRExpr(in->tyenv, s->Ist.Store.data);
         add_access(&st, s->Ist.Store.addr, sizeofIRType(type), True);
         break;
      }
      case Ist_LoadG: {
         IRLoadG* lg = s->Ist.LoadG.details;
         IRType type = Ity_INVALID, wide = Ity_INVALID;
         typeOfIRLoadGOp(lg->cvt, &wide, &type);
         flush_accesses(&st);
         emit_access(st.out, lg->addr, clamp_size(sizeofIRType(type)), False, lg->guard);
         break;
      }
      case Ist_StoreG: {
         IRStoreG* sg = s->Ist.StoreG.details;
         flush_accesses(&st);
         emit_access(st.out, sg->addr, clamp_size(sizeofIRType(typeOfIRExpr(in->tyenv, sg->data))), True, sg->guard);
         break;
      }
      case Ist_Dirty: {
         IRDirty* d = s->Ist.Dirty.details;
         if (d->mFx != Ifx_None) {
            tl_assert(d->mAddr != NULL && d->mSize > 0);
            if (d->mFx == Ifx_Read || d->mFx == Ifx_Modify) add_access(&st, d->mAddr, d->mSize, False);
            if (d->mFx == Ifx_Write || d->mFx == Ifx_Modify) add_access(&st, d->mAddr, d->mSize, True);
         }
         break;
      }
      case Ist_CAS: {
         IRCAS* cas = s->Ist.CAS.details;
         Int size = sizeofIRType(typeOfIRExpr(in->tyenv, cas->dataLo)) * (cas->dataHi ? 2 : 1);
         add_access(&st, cas->addr, size, False);
         add_access(&st, cas->addr, size, True);
         break;
      }
      case Ist_LLSC: {
         if (s->Ist.LLSC.storedata == NULL) {
            add_access(&st, s->Ist.LLSC.addr, sizeofIRType(typeOfIRTemp(in->tyenv, s->Ist.LLSC.result)), False);
         } else {
            add_access(&st, s->Ist.LLSC.addr, sizeofIRType(typeOfIRExpr(in->tyenv, s->Ist.LLSC.storedata)), True);
         }
         break;
      }
      case Ist_Exit:
         /* The instructions so far have run whether or not the exit is taken. */
         flush_accesses(&st);
         flush_instructions(&st);
         break;
      default:
         break;
      }
      addStmtToIRSB(st.out, s);
   }
   flush_accesses(&st);
   flush_instructions(&st);
   return st.out;
}

/* ---------------------------------------------------------------- counting and dumps */

static ULong window_instructions(void) {
   return counts[EV_Ir] + (collecting ? ir_total - ir_window_start : 0);
}

static void zero_counts(void) {
   for (Int e = 0; e < EV_COUNT; e++) counts[e] = 0;
   ir_window_start = ir_total;
}

static void toggle_collect(void) {
   if (collecting) counts[EV_Ir] += ir_total - ir_window_start;
   else ir_window_start = ir_total;
   collecting = !collecting;
}

static void describe_cache(HChar* buf, Int size, const HChar* name, const Cache* c) {
   VG_(snprintf)(buf, size, "desc: %s cache: %llu B, %llu B, %u-way associative\n", name, c->size, c->line, c->array.ways);
}

static void describe_tlb(HChar* buf, Int size, const HChar* name, const LruArray* t) {
   if (!t->present) VG_(snprintf)(buf, size, "desc: %s: shares the 4 KiB entries\n", name);
   else VG_(snprintf)(buf, size, "desc: %s: %u entries, %u-way associative\n", name, t->sets * t->ways, t->ways);
}

static void write_all(Int fd, const HChar* text) {
   Int length = (Int)VG_(strlen)(text);
   if (VG_(write)(fd, text, length) != length) {
      VG_(fmsg)("locsim: cannot write the dump to %s\n", clo_out_file);
      VG_(exit)(1);
   }
}

/* Writes the counts so far as OUT.N in callgrind's format, then zeroes them (as callgrind does). */
static void dump(const HChar* trigger) {
   HChar path[4096], line[512];
   dump_number++;
   VG_(snprintf)(path, sizeof path, "%s.%u", clo_out_file, dump_number);
   SysRes opened = VG_(open)(path, VKI_O_CREAT | VKI_O_TRUNC | VKI_O_WRONLY, 0600);
   if (sr_isError(opened)) {
      VG_(fmsg)("locsim: cannot create the dump %s\n", path);
      VG_(exit)(1);
   }
   Int fd = (Int)sr_Res(opened);
   write_all(fd, "version: 1\ncreator: locsim\n");
   if (trigger) {
      /* The name is the client's: one line of it, at most what fits. */
      HChar name[256];
      Int n = 0;
      for (; trigger[n] && trigger[n] != '\n' && n < (Int)sizeof name - 1; n++) name[n] = trigger[n];
      name[n] = 0;
      VG_(snprintf)(line, sizeof line, "desc: Trigger: Client Request: %s\n", name);
      write_all(fd, line);
   }
   describe_cache(line, sizeof line, "D1", &d1); write_all(fd, line);
   if (l2.array.present) { describe_cache(line, sizeof line, "L2", &l2); write_all(fd, line); }
   describe_cache(line, sizeof line, "LL", &ll); write_all(fd, line);
   describe_tlb(line, sizeof line, "L1 dTLB 4K", &dtlb1[0]); write_all(fd, line);
   describe_tlb(line, sizeof line, "L1 dTLB 2M", &dtlb1[1]); write_all(fd, line);
   describe_tlb(line, sizeof line, "L2 TLB 4K", &stlb[0]); write_all(fd, line);
   describe_tlb(line, sizeof line, "L2 TLB 2M", &stlb[1]); write_all(fd, line);

   ULong values[EV_COUNT];
   for (Int e = 0; e < EV_COUNT; e++) values[e] = counts[e];
   values[EV_Ir] = window_instructions();
   write_all(fd, "events:");
   for (Int e = 0; e < EV_COUNT; e++) {
      if (e == EV_L2m && !l2.array.present) continue;
      write_all(fd, " "); write_all(fd, event_names[e]);
   }
   write_all(fd, "\nsummary:");
   for (Int e = 0; e < EV_COUNT; e++) {
      if (e == EV_L2m && !l2.array.present) continue;
      VG_(snprintf)(line, sizeof line, " %llu", values[e]);
      write_all(fd, line);
   }
   write_all(fd, "\n");
   VG_(close)(fd);
   zero_counts();
}

/* ---------------------------------------------------------------- client requests */

/* [start, start + length) is no longer on 2 MiB pages. A range it overlaps keeps its whole
   2 MiB pages on either side (the kernel splits only the huge pages the unmap touches), so a
   partial munmap or an overlapping declaration leaves the rest of a range on 2 MiB pages. */
static void forget_huge(Addr start, SizeT length) {
   const Addr huge = 2UL << 20;
   Addr end = start + length;
   Addr left_end = start & ~(huge - 1);
   Addr right_start = (end + huge - 1) & ~(huge - 1);
   UInt kept = 0;
   Addr split_start = 0, split_end = 0;   /* a right remainder that found no free slot yet */
   for (UInt i = 0; i < n_huge; i++) {
      Addr s = huge_start[i], e = huge_end[i];
      if (e <= start || s >= end) { huge_start[kept] = s; huge_end[kept] = e; kept++; continue; }
      if (s < left_end) { huge_start[kept] = s; huge_end[kept] = left_end; kept++; }
      if (e > right_start) { split_start = right_start; split_end = e; }
      if (split_end != 0 && kept <= i) {   /* a slot freed by this loop holds it */
         huge_start[kept] = split_start; huge_end[kept] = split_end; kept++; split_end = 0;
      }
   }
   n_huge = kept;
   if (split_end != 0) {
      if (n_huge < MAX_HUGE_RANGES) { huge_start[n_huge] = split_start; huge_end[n_huge] = split_end; n_huge++; }
      else VG_(umsg)("locsim: more than %d 2 MiB-page ranges; a remainder stays on 4 KiB pages\n", MAX_HUGE_RANGES);
   }
}

static void declare_huge(Addr start, SizeT length) {
   /* Only whole 2 MiB pages: the partial ones at either end stay on 4 KiB pages. */
   Addr first = (start + (2UL << 20) - 1) & ~((2UL << 20) - 1);
   Addr end = (start + length) & ~((2UL << 20) - 1);
   if (end <= first) return;
   forget_huge(first, end - first);
   if (n_huge == MAX_HUGE_RANGES) {
      VG_(umsg)("locsim: more than %d 2 MiB-page ranges declared; this one stays on 4 KiB pages\n", MAX_HUGE_RANGES);
      return;
   }
   huge_start[n_huge] = first; huge_end[n_huge] = end; n_huge++;
}

static Bool locsim_client_request(ThreadId tid, UWord* args, UWord* ret) {
   switch (args[0]) {
   case VG_USERREQ__ZERO_STATS: zero_counts(); break;
   case VG_USERREQ__TOGGLE_COLLECT: toggle_collect(); break;
   case VG_USERREQ__DUMP_STATS: dump(NULL); break;
   case VG_USERREQ__DUMP_STATS_AT: dump((const HChar*)args[1]); break;
   case VG_USERREQ__START_INSTRUMENTATION:
   case VG_USERREQ__STOP_INSTRUMENTATION: break;   /* locsim always instruments */
   case LOCSIM_USERREQ_DECLARE_HUGE: declare_huge((Addr)args[1], (SizeT)args[2]); break;
   case LOCSIM_USERREQ_FORGET_HUGE: forget_huge((Addr)args[1], (SizeT)args[2]); break;
   default: return False;
   }
   *ret = 0;
   return True;
}

static void locsim_munmap(Addr a, SizeT length) {
   if (n_huge > 0) forget_huge(a, length);
}

/* ---------------------------------------------------------------- options */

/* "A,B,C" → up to three numbers; returns how many were read, -1 if malformed. */
static Int parse_numbers(const HChar* text, ULong* out, Int max) {
   Int n = 0;
   const HChar* p = text;
   while (*p) {
      HChar* end;
      Long value = VG_(strtoll10)(p, &end);
      if (end == p || value < 0 || n == max) return -1;
      out[n++] = (ULong)value;
      if (*end == ',') p = end + 1;
      else if (*end == 0) p = end;
      else return -1;
   }
   return n;
}

static void setup_cache(Cache* c, const HChar* option, const HChar* text, Bool required) {
   if (!text) {
      if (required) { VG_(fmsg)("locsim: %s=SIZE,WAYS,LINE is required\n", option); VG_(exit)(2); }
      return;
   }
   ULong v[3];
   if (parse_numbers(text, v, 3) != 3 || v[1] == 0 || v[2] < 8 || (v[2] & (v[2] - 1)) != 0
       || v[0] % (v[1] * v[2]) != 0 || v[0] <= v[2]) {
      VG_(fmsg)("locsim: %s=%s: want SIZE,WAYS,LINE with a power-of-two LINE and SIZE a multiple of WAYS × LINE\n", option, text);
      VG_(exit)(2);
   }
   c->size = v[0]; c->line = v[2];
   c->line_shift = 0;
   while ((1ULL << c->line_shift) < c->line) c->line_shift++;
   lru_init(&c->array, v[0] / v[2], v[1], option);
}

static void setup_tlb(LruArray* t, const HChar* option, const HChar* text, Bool required) {
   if (!text) {
      if (required) { VG_(fmsg)("locsim: %s=ENTRIES,WAYS is required (WAYS 0: fully associative)\n", option); VG_(exit)(2); }
      return;
   }
   ULong v[2];
   if (parse_numbers(text, v, 2) != 2 || v[0] == 0) {
      VG_(fmsg)("locsim: %s=%s: want ENTRIES,WAYS (WAYS 0: fully associative)\n", option, text);
      VG_(exit)(2);
   }
   lru_init(t, v[0], v[1], option);
}

static Bool locsim_option(const HChar* arg) {
   if VG_STR_CLO(arg, "--out-file", clo_out_file) {}
   else if VG_STR_CLO(arg, "--D1", clo_d1) {}
   else if VG_STR_CLO(arg, "--L2", clo_l2) {}
   else if VG_STR_CLO(arg, "--LL", clo_ll) {}
   else if VG_STR_CLO(arg, "--dtlb1", clo_dtlb1) {}
   else if VG_STR_CLO(arg, "--dtlb1-2m", clo_dtlb1_2m) {}
   else if VG_STR_CLO(arg, "--stlb", clo_stlb) {}
   else if VG_STR_CLO(arg, "--stlb-2m", clo_stlb_2m) {}
   else return False;
   return True;
}

static void locsim_usage(void) {
   VG_(printf)(
      "    --out-file=PATH           dumps are written as PATH.1, PATH.2, … [required]\n"
      "    --D1=SIZE,WAYS,LINE       L1 data cache [required]\n"
      "    --L2=SIZE,WAYS,LINE       L2 cache, between D1 and LL [none]\n"
      "    --LL=SIZE,WAYS,LINE       last-level cache [required]\n"
      "    --dtlb1=ENTRIES,WAYS      L1 dTLB, 4 KiB pages (WAYS 0: fully associative) [required]\n"
      "    --dtlb1-2m=ENTRIES,WAYS   L1 dTLB, 2 MiB pages [shares the 4 KiB entries]\n"
      "    --stlb=ENTRIES,WAYS       L2 TLB, 4 KiB pages [required]\n"
      "    --stlb-2m=ENTRIES,WAYS    L2 TLB, 2 MiB pages [shares the 4 KiB entries]\n");
}

static void locsim_debug_usage(void) {}

/* ---------------------------------------------------------------- start and end */

static void locsim_post_clo_init(void) {
   if (!clo_out_file) { VG_(fmsg)("locsim: --out-file=PATH is required\n"); VG_(exit)(2); }
   setup_cache(&d1, "--D1", clo_d1, True);
   setup_cache(&l2, "--L2", clo_l2, False);
   setup_cache(&ll, "--LL", clo_ll, True);
   setup_tlb(&dtlb1[0], "--dtlb1", clo_dtlb1, True);
   setup_tlb(&dtlb1[1], "--dtlb1-2m", clo_dtlb1_2m, False);
   setup_tlb(&stlb[0], "--stlb", clo_stlb, True);
   setup_tlb(&stlb[1], "--stlb-2m", clo_stlb_2m, False);
}

static void locsim_fini(Int exitcode) {}

static void locsim_pre_clo_init(void) {
   VG_(details_name)("locsim");
   VG_(details_version)("1");
   VG_(details_description)("Locality's data-TLB and cache simulator");
   VG_(details_copyright_author)("Copyright (C) 2026 the Locality authors; GPL-2.0-or-later.");
   VG_(details_bug_reports_to)("the Locality project");
   VG_(details_avg_translation_sizeB)(300);
   VG_(basic_tool_funcs)(locsim_post_clo_init, locsim_instrument, locsim_fini);
   VG_(needs_command_line_options)(locsim_option, locsim_usage, locsim_debug_usage);
   VG_(needs_client_requests)(locsim_client_request);
   VG_(track_die_mem_munmap)(locsim_munmap);
}

VG_DETERMINE_INTERFACE_VERSION(locsim_pre_clo_init)
