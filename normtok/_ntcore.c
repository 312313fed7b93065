/*
 * normtok._ntcore: NT-1 (spec/nt-1.md) of a str in one pass over its code points, in C.
 *
 * Why: the numpy path of normtok/nt.py needs a dozen array passes per text; this needs one. It
 * knows nothing about NT-1 itself: normtok/nt.py derives every table from its ROWS, WEIGHTS and
 * RUN_PARAMS (one source of truth) and installs them with install():
 *
 *   codes        per code point: a "char code" (low 4 bits: one per distinct class and weight,
 *                with U+0020 its own code) | 0x80 when NFC may need a closer look at it (its NFC
 *                quick check is not Yes or its combining class is not 0). At first only the 128
 *                ASCII entries are installed; the full 0x110000 table comes with the NFC data.
 *   transitions  an automaton over the char codes: entry [state * 16 + code] is
 *                ((cost + bias) << 8) | next_state * 16, cost in milli-NT (the code point's weight
 *                plus what starting or ending a run adds). The value of a text is the sum of the
 *                costs along its code points, plus end_costs[final state], and no state holds more
 *                than "class of the current run, digits mod 3, lone-space candidate".
 *   resync       per char code: the state after it whatever the state before (or 0xFF). A long
 *                text is cut into lanes just after such a code point, so the lanes' automata
 *                start in known states and run interleaved (independent dependency chains).
 *   nfc data     the flags, canonical combining classes and composition pairs of nt.py's
 *                _NfcTables, for the same sharpened quick check the numpy path uses.
 *
 * NFC: the loop ORs the codes it reads, so a text without a code point flagged 0x80 is known to
 * be NFC at no extra cost. Otherwise the flagged code points get the sharpened quick check, and
 * the few windows it cannot clear are normalised by unicodedata.normalize (the NFC the reference
 * uses) and fed in place (text_value). Sums are 64-bit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NCODES 16
#define MAXSTATES 16
#define ATTN 0x80
#define LANES 4
#define LANE_MIN 4096       /* shorter texts run in one lane */
#define RESYNC_SCAN 4096    /* how far a lane cut may move to find a resync code point */
#define NOGIL_MIN 65536     /* release the GIL for texts at least this long */
#define CHUNK 65536         /* code points fed before looking for NFC suspects (then up to a line end) */
#define MERGE 16            /* suspects this close share one NFC window */

static PyObject *keep_alive;          /* every installed object: pointers into them stay valid */
static const uint8_t *codes;          /* char code | ATTN per code point */
static int codes_full;                /* codes covers all of 0..0x10FFFF (else only ASCII) */
static uint32_t trans[MAXSTATES * NCODES];
static int64_t end_cost[MAXSTATES];
static uint8_t resync[NCODES];
static int64_t bias;
static int nstates;                   /* 0 until installed */

static const uint8_t *nfc_flags, *nfc_ccc;
static const int64_t *nfc_pairs;
static Py_ssize_t nfc_npairs;
static uint8_t f_no, f_mark, f_maybe, f_impure;

/* ------------------------------------------------------------------------------------------- */
/* The value: one automaton, several lanes.                                                      */
/* ------------------------------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t begin, end;
    uint32_t state;   /* state * 16, as in the transition entries */
    uint64_t sum;     /* sum of (cost + bias) */
} lane_t;

#define STEP(tbl, cp, st, sum, attn)                                   \
    do {                                                               \
        uint8_t c_ = (tbl)[cp];                                        \
        uint32_t e_ = trans[(st) + (c_ & (NCODES - 1))];               \
        (attn) |= c_;                                                  \
        (st) = e_ & 0xFF;                                              \
        (sum) += e_ >> 8;                                              \
    } while (0)

#define DEFINE_RUN(NAME, T)                                                                       \
    static uint8_t NAME(const T *s, const uint8_t *tbl, lane_t *lanes, int nl)                    \
    {                                                                                             \
        uint8_t attn = 0;                                                                         \
        Py_ssize_t m = PY_SSIZE_T_MAX;                                                            \
        int k;                                                                                    \
        for (k = 0; k < nl; k++)                                                                  \
            if (lanes[k].end - lanes[k].begin < m) m = lanes[k].end - lanes[k].begin;             \
        if (nl == LANES) {                                                                        \
            const T *p0 = s + lanes[0].begin, *p1 = s + lanes[1].begin;                           \
            const T *p2 = s + lanes[2].begin, *p3 = s + lanes[3].begin;                           \
            uint32_t s0 = lanes[0].state, s1 = lanes[1].state, s2 = lanes[2].state;               \
            uint32_t s3 = lanes[3].state;                                                         \
            uint64_t u0 = 0, u1 = 0, u2 = 0, u3 = 0;                                              \
            Py_ssize_t i;                                                                         \
            for (i = 0; i < m; i++) {                                                             \
                STEP(tbl, p0[i], s0, u0, attn);                                                   \
                STEP(tbl, p1[i], s1, u1, attn);                                                   \
                STEP(tbl, p2[i], s2, u2, attn);                                                   \
                STEP(tbl, p3[i], s3, u3, attn);                                                   \
            }                                                                                     \
            lanes[0].state = s0; lanes[1].state = s1; lanes[2].state = s2; lanes[3].state = s3;   \
            lanes[0].sum += u0; lanes[1].sum += u1; lanes[2].sum += u2; lanes[3].sum += u3;       \
        } else {                                                                                  \
            m = 0;                                                                                \
        }                                                                                         \
        for (k = 0; k < nl; k++) {                                                                \
            uint32_t st = lanes[k].state;                                                         \
            uint64_t u = 0;                                                                       \
            Py_ssize_t i;                                                                         \
            for (i = lanes[k].begin + m; i < lanes[k].end; i++)                                   \
                STEP(tbl, s[i], st, u, attn);                                                     \
            lanes[k].state = st;                                                                  \
            lanes[k].sum += u;                                                                    \
        }                                                                                         \
        return attn;                                                                              \
    }

DEFINE_RUN(run_ucs1, Py_UCS1)
DEFINE_RUN(run_ucs2, Py_UCS2)
DEFINE_RUN(run_ucs4, Py_UCS4)

static Py_UCS4 read_cp(int kind, const void *data, Py_ssize_t i)
{
    return PyUnicode_READ(kind, data, i);
}

/* Cut [begin, end) into lanes; every lane but the first starts just after a resync code point
 * (so its start state is known without running the lanes before it). */
static int make_lanes(int kind, const void *data, Py_ssize_t begin, Py_ssize_t end, uint32_t state,
                      const uint8_t *tbl, lane_t *lanes)
{
    int nl = 1, k;
    Py_ssize_t n = end - begin;
    lanes[0].begin = begin;
    lanes[0].state = state;
    if (n >= LANE_MIN) {
        for (k = 1; k < LANES; k++) {
            Py_ssize_t j = begin + n / LANES * k, stop = j + RESYNC_SCAN;
            if (j <= lanes[nl - 1].begin) continue;
            if (stop > end - 1) stop = end - 1;
            for (; j < stop; j++) {
                uint8_t r = resync[tbl[read_cp(kind, data, j)] & (NCODES - 1)];
                if (r != 0xFF) {
                    lanes[nl - 1].end = j + 1;
                    lanes[nl].begin = j + 1;
                    lanes[nl].state = (uint32_t)r * NCODES;
                    nl++;
                    break;
                }
            }
        }
    }
    lanes[nl - 1].end = end;
    for (k = 0; k < nl; k++) lanes[k].sum = 0;
    return nl;
}

/* Run the automaton over code points [begin, end) from *state: returns the sum of their costs,
 * updates *state, ORs their codes into *attn (ATTN set: NFC may need a look). */
static int64_t feed(int kind, const void *data, Py_ssize_t begin, Py_ssize_t end, const uint8_t *tbl,
                    uint32_t *state, uint8_t *attn)
{
    lane_t lanes[LANES];
    int nl, k;
    uint64_t sum = 0;
    if (end <= begin) return 0;
    nl = make_lanes(kind, data, begin, end, *state, tbl, lanes);
    if (kind == PyUnicode_1BYTE_KIND) *attn |= run_ucs1((const Py_UCS1 *)data, tbl, lanes, nl);
    else if (kind == PyUnicode_2BYTE_KIND) *attn |= run_ucs2((const Py_UCS2 *)data, tbl, lanes, nl);
    else *attn |= run_ucs4((const Py_UCS4 *)data, tbl, lanes, nl);
    for (k = 0; k < nl; k++) sum += lanes[k].sum;
    *state = lanes[nl - 1].state;
    return (int64_t)(sum - (uint64_t)(end - begin) * (uint64_t)bias);
}

/* ------------------------------------------------------------------------------------------- */
/* NFC: the sharpened quick check of nt.py's _nfc_suspects, one code point at a time.            */
/* ------------------------------------------------------------------------------------------- */

static int is_pair(Py_UCS4 a, Py_UCS4 b)
{
    int64_t key = ((int64_t)a << 21) | (int64_t)b;
    Py_ssize_t lo = 0, hi = nfc_npairs;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (nfc_pairs[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < nfc_npairs && nfc_pairs[lo] == key;
}

/* Whether NFC might change the text at position i (a code point with ATTN set). */
static int suspect_at(int kind, const void *data, Py_ssize_t i)
{
    Py_UCS4 cp = read_cp(kind, data, i), prev;
    uint8_t f = nfc_flags[cp];
    if (f & f_no) return 1;
    if (i == 0) return 0;
    prev = read_cp(kind, data, i - 1);
    if ((f & f_mark) && nfc_ccc[prev] > nfc_ccc[cp]) return 1;
    if ((f & f_maybe) && ((nfc_flags[prev] & f_impure) || is_pair(prev, cp))) return 1;
    return 0;
}

#define DEFINE_SCAN(NAME, T)                                                                      \
    static Py_ssize_t NAME(const T *s, Py_ssize_t n, Py_ssize_t i, const uint8_t *tbl, int kind)       \
    {                                                                                                 \
        for (; i < n; i++)                                                                            \
            if ((tbl[s[i]] & ATTN) && suspect_at(kind, s, i)) return i;                               \
        return -1;                                                                                    \
    }

DEFINE_SCAN(scan_ucs1, Py_UCS1)
DEFINE_SCAN(scan_ucs2, Py_UCS2)
DEFINE_SCAN(scan_ucs4, Py_UCS4)

/* First position >= start where NFC might change the text, or -1 (needs the full tables). */
static Py_ssize_t next_suspect(int kind, const void *data, Py_ssize_t n, Py_ssize_t start, const uint8_t *tbl)
{
    if (kind == PyUnicode_1BYTE_KIND) return scan_ucs1((const Py_UCS1 *)data, n, start, tbl, kind);
    if (kind == PyUnicode_2BYTE_KIND) return scan_ucs2((const Py_UCS2 *)data, n, start, tbl, kind);
    return scan_ucs4((const Py_UCS4 *)data, n, start, tbl, kind);
}

/* ------------------------------------------------------------------------------------------- */
/* Python API                                                                                    */
/* ------------------------------------------------------------------------------------------- */

static PyObject *normalize;  /* unicodedata.normalize: the NFC that nt.py's reference uses */

static int check_ready(PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "NT-1 is defined on str, not %.100s", Py_TYPE(text)->tp_name);
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0) return -1;
#endif
    if (!nstates) {
        PyErr_SetString(PyExc_RuntimeError, "normtok._ntcore: tables not installed (normtok.nt installs them)");
        return -1;
    }
    if (!codes_full && !PyUnicode_IS_ASCII(text)) {
        PyErr_SetString(PyExc_RuntimeError, "normtok._ntcore: non-ASCII text before the NFC tables were installed");
        return -1;
    }
    return 0;
}

#define DEFINE_FIND(NAME, T)                                                                      \
    static Py_ssize_t NAME(const T *s, Py_ssize_t from, Py_ssize_t to, int last, int ascii)          \
    {                                                                                             \
        Py_ssize_t i;                                                                             \
        if (last) {                                                                               \
            for (i = to - 1; i >= from; i--)                                                      \
                if (ascii ? s[i] < 0x80 : s[i] == '\n') return i;                                 \
        } else {                                                                                  \
            for (i = from; i < to; i++)                                                           \
                if (ascii ? s[i] < 0x80 : s[i] == '\n') return i;                                 \
        }                                                                                         \
        return -1;                                                                                \
    }

DEFINE_FIND(find_ucs1, Py_UCS1)
DEFINE_FIND(find_ucs2, Py_UCS2)
DEFINE_FIND(find_ucs4, Py_UCS4)

/* The first (or last) line feed (or ASCII code point) in [from, to), or -1. */
static Py_ssize_t find_cp(int kind, const void *data, Py_ssize_t from, Py_ssize_t to, int last, int ascii)
{
    if (kind == PyUnicode_1BYTE_KIND) return find_ucs1((const Py_UCS1 *)data, from, to, last, ascii);
    if (kind == PyUnicode_2BYTE_KIND) return find_ucs2((const Py_UCS2 *)data, from, to, last, ascii);
    return find_ucs4((const Py_UCS4 *)data, from, to, last, ascii);
}

/* Feed NFC(text[a:b]) to the automaton (needs the GIL); -1 with an exception set on error. */
static int feed_nfc(PyObject *text, Py_ssize_t a, Py_ssize_t b, const uint8_t *tbl, uint32_t *st, int64_t *total)
{
    uint8_t attn = 0;
    PyObject *line = PyUnicode_Substring(text, a, b), *norm;
    if (!line) return -1;
    norm = PyObject_CallFunction(normalize, "sO", "NFC", line);
    Py_DECREF(line);
    if (!norm) return -1;
    if (!PyUnicode_Check(norm)) {
        Py_DECREF(norm);
        PyErr_SetString(PyExc_TypeError, "unicodedata.normalize returned no str");
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(norm) < 0) {
        Py_DECREF(norm);
        return -1;
    }
#endif
    *total += feed(PyUnicode_KIND(norm), PyUnicode_DATA(norm), 0, PyUnicode_GET_LENGTH(norm), tbl, st, &attn);
    Py_DECREF(norm);
    return 0;
}

/* NT-1 of a ready str in milli-NT (of its NFC unless trusted), or -1 with an exception set.
 *
 * The text is fed in chunks that end just after a line feed. A chunk with a code point NFC may
 * change (a suspect) is fed again from its start state, with a window around each suspect
 * replaced by its NFC. A window starts at the last ASCII code point before the suspect (or the
 * chunk start) and ends before the first ASCII code point after it (or at the chunk end), and
 * takes in the next suspect if it is within MERGE code points. NFC(x + y) = NFC(x) + NFC(y) when
 * y starts with an ASCII code point (a starter without decomposition that is the second part of
 * no composition) or x ends with a line feed, so this is the value of NFC(text); the code
 * points outside windows are certainly NFC. Each code point is fed once unless its chunk has a
 * suspect. The GIL is released for long texts, except while unicodedata.normalize runs. */
static int64_t text_value(PyObject *text, int trusted)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), pos = 0;
    const uint8_t *tbl = codes;
    uint32_t st = 0;
    int64_t total = 0;
    int err = 0;
    PyThreadState *ts = n >= NOGIL_MIN ? PyEval_SaveThread() : NULL;
    while (pos < n && !err) {
        Py_ssize_t end = n - pos > CHUNK ? find_cp(kind, data, pos + CHUNK, n, 0, 0) : -1, sus = -1;
        uint32_t st0 = st;
        uint8_t attn = 0;
        int64_t part;
        end = end < 0 ? n : end + 1;
        part = feed(kind, data, pos, end, tbl, &st, &attn);
        if (!trusted && (attn & ATTN)) sus = next_suspect(kind, data, end, pos, tbl);
        if (sus < 0) {
            total += part;
            pos = end;
            continue;
        }
        st = st0;
        while (sus >= 0) {
            Py_ssize_t a = find_cp(kind, data, pos, sus, 1, 1), b = find_cp(kind, data, sus, end, 0, 1);
            a = a < 0 ? pos : a;
            b = b < 0 ? end : b;
            for (sus = b < end ? next_suspect(kind, data, end, b, tbl) : -1; sus >= 0 && sus - b <= MERGE;
                 sus = b < end ? next_suspect(kind, data, end, b, tbl) : -1) {
                b = find_cp(kind, data, sus, end, 0, 1);
                b = b < 0 ? end : b;
            }
            total += feed(kind, data, pos, a, tbl, &st, &attn);
            if (ts) PyEval_RestoreThread(ts);
            err = feed_nfc(text, a, b, tbl, &st, &total) < 0;
            if (ts) ts = PyEval_SaveThread();
            if (err) break;
            pos = b;
        }
        if (!err) total += feed(kind, data, pos, end, tbl, &st, &attn);
        pos = end;
    }
    if (ts) PyEval_RestoreThread(ts);
    return err ? -1 : total + end_cost[st / NCODES];
}

PyDoc_STRVAR(milli_doc,
"milli(text, trusted=False) -> int\n\n"
"NT-1 of text in milli-NT. Text that NFC might change is normalised first (the lines that need it),\n"
"unless trusted=True: then the caller vouches that text is NFC and no check is made.");

static PyObject *py_milli(PyObject *self, PyObject *args)
{
    PyObject *text;
    int trusted = 0;
    if (!PyArg_ParseTuple(args, "O|p:milli", &text, &trusted)) return NULL;
    if (check_ready(text) < 0) return NULL;
    {
        int64_t v = text_value(text, trusted);
        return v < 0 ? NULL : PyLong_FromLongLong(v);
    }
}

PyDoc_STRVAR(milli_many_doc,
"milli_many(texts, trusted=False) -> list[int]\n\n"
"milli() of each str of a sequence.");

static PyObject *py_milli_many(PyObject *self, PyObject *args)
{
    PyObject *seq, *fast, *out;
    int trusted = 0;
    Py_ssize_t i, n;
    if (!PyArg_ParseTuple(args, "O|p:milli_many", &seq, &trusted)) return NULL;
    fast = PySequence_Fast(seq, "milli_many() needs a sequence of str");
    if (!fast) return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    out = PyList_New(n);
    if (!out) goto fail;
    for (i = 0; i < n; i++) {
        PyObject *text = PySequence_Fast_GET_ITEM(fast, i), *v;
        int64_t value;
        Py_INCREF(text);  /* the sequence may change while the GIL is released */
        if (check_ready(text) < 0) {
            Py_DECREF(text);
            goto fail;
        }
        value = text_value(text, trusted);
        Py_DECREF(text);
        v = value < 0 ? NULL : PyLong_FromLongLong(value);
        if (!v) goto fail;
        PyList_SET_ITEM(out, i, v);
    }
    Py_DECREF(fast);
    return out;
fail:
    Py_DECREF(fast);
    Py_XDECREF(out);
    return NULL;
}

PyDoc_STRVAR(suspects_doc,
"suspects(text) -> list[int]\n\n"
"Positions where NFC might change text (the sharpened quick check): empty if it is certainly NFC.");

static PyObject *py_suspects(PyObject *self, PyObject *text)
{
    PyObject *out;
    int kind;
    const void *data;
    Py_ssize_t n, i;
    if (check_ready(text) < 0) return NULL;
    out = PyList_New(0);
    if (!out) return NULL;
    kind = PyUnicode_KIND(text);
    data = PyUnicode_DATA(text);
    n = PyUnicode_GET_LENGTH(text);
    if (!codes_full) return out;  /* ASCII is NFC */
    for (i = next_suspect(kind, data, n, 0, codes); i >= 0; i = next_suspect(kind, data, n, i + 1, codes)) {
        PyObject *pos = PyLong_FromSsize_t(i);
        if (!pos || PyList_Append(out, pos) < 0) {
            Py_XDECREF(pos);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(pos);
    }
    return out;
}

static int get_bytes(PyObject *obj, const char *what, Py_ssize_t size, const uint8_t **ptr)
{
    if (!PyBytes_Check(obj) || (size >= 0 && PyBytes_GET_SIZE(obj) != size)) {
        PyErr_Format(PyExc_ValueError, "install(): %s must be bytes of length %zd", what, size);
        return -1;
    }
    *ptr = (const uint8_t *)PyBytes_AS_STRING(obj);
    return PyList_Append(keep_alive, obj);
}

PyDoc_STRVAR(install_doc,
"install(codes, transitions, end_costs, resync, bias, nfc=None)\n\n"
"Install the tables normtok.nt derives from NT-1's ROWS (see the module comment of _ntcore.c).\n"
"codes: bytes of 128 (ASCII only) or 0x110000 entries (with nfc); transitions: bytes of\n"
"nstates * 16 native uint32; end_costs: nstates ints; resync: 16 bytes; nfc: (flags, ccc,\n"
"pairs, (NO, MARK, MAYBE, IMPURE)) with flags and ccc bytes of 0x110000 and pairs sorted native\n"
"int64 keys (first << 21 | second). The automaton may be installed once; codes may grow once.");

static PyObject *py_install(PyObject *self, PyObject *args)
{
    PyObject *codes_o, *trans_o, *ends_o, *resync_o, *nfc_o = Py_None;
    long long bias_v;
    const uint8_t *cptr, *tptr, *rptr;
    Py_ssize_t ns, k;
    uint32_t tnew[MAXSTATES * NCODES];
    int64_t enew[MAXSTATES];
    if (!PyArg_ParseTuple(args, "SSOSL|O:install", &codes_o, &trans_o, &ends_o, &resync_o, &bias_v, &nfc_o))
        return NULL;
    ends_o = PySequence_Fast(ends_o, "end_costs must be a sequence of int");
    if (!ends_o) return NULL;
    ns = PySequence_Fast_GET_SIZE(ends_o);
    if (ns < 1 || ns > MAXSTATES || PyBytes_GET_SIZE(trans_o) != ns * NCODES * 4 || PyBytes_GET_SIZE(resync_o) != NCODES
        || bias_v < 0 || bias_v > (1 << 20)) {
        Py_DECREF(ends_o);
        PyErr_SetString(PyExc_ValueError, "install(): inconsistent automaton sizes");
        return NULL;
    }
    for (k = 0; k < ns; k++) {
        enew[k] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(ends_o, k));
        if (enew[k] == -1 && PyErr_Occurred()) {
            Py_DECREF(ends_o);
            return NULL;
        }
    }
    Py_DECREF(ends_o);
    tptr = (const uint8_t *)PyBytes_AS_STRING(trans_o);
    memcpy(tnew, tptr, (size_t)ns * NCODES * 4);
    for (k = 0; k < ns * NCODES; k++)
        if ((tnew[k] & 0xFF) % NCODES || (tnew[k] & 0xFF) / NCODES >= (uint32_t)ns) {
            PyErr_SetString(PyExc_ValueError, "install(): a transition leads to no state");
            return NULL;
        }
    rptr = (const uint8_t *)PyBytes_AS_STRING(resync_o);
    for (k = 0; k < NCODES; k++)
        if (rptr[k] != 0xFF && rptr[k] >= ns) {
            PyErr_SetString(PyExc_ValueError, "install(): a resync state is no state");
            return NULL;
        }
    if (nstates && (ns != nstates || memcmp(tnew, trans, (size_t)ns * NCODES * 4) || memcmp(enew, end_cost, ns * 8)
                    || memcmp(rptr, resync, NCODES) || bias_v != bias)) {
        PyErr_SetString(PyExc_ValueError, "install(): the automaton is already installed and differs");
        return NULL;
    }
    if (nfc_o == Py_None) {
        if (codes_full) {
            PyErr_SetString(PyExc_ValueError, "install(): the full tables are already installed");
            return NULL;
        }
        if (get_bytes(codes_o, "codes (without nfc)", 128, &cptr) < 0) return NULL;
    } else {
        PyObject *flags_o, *ccc_o, *pairs_o;
        const uint8_t *fptr, *cccptr, *pptr;
        int no, mark, maybe, impure;
        if (!PyArg_ParseTuple(nfc_o, "SSS(iiii):install nfc", &flags_o, &ccc_o, &pairs_o, &no, &mark, &maybe, &impure))
            return NULL;
        if (PyBytes_GET_SIZE(pairs_o) % 8) {
            PyErr_SetString(PyExc_ValueError, "install(): pairs must be int64 keys");
            return NULL;
        }
        if (get_bytes(codes_o, "codes", 0x110000, &cptr) < 0 || get_bytes(flags_o, "flags", 0x110000, &fptr) < 0
            || get_bytes(ccc_o, "ccc", 0x110000, &cccptr) < 0 || get_bytes(pairs_o, "pairs", -1, &pptr) < 0)
            return NULL;
        nfc_flags = fptr;
        nfc_ccc = cccptr;
        if (!nfc_pairs) {  /* an aligned copy, installed once and never freed */
            int64_t *copy = PyMem_Malloc((size_t)PyBytes_GET_SIZE(pairs_o) + 8);
            if (!copy) return PyErr_NoMemory();
            memcpy(copy, pptr, (size_t)PyBytes_GET_SIZE(pairs_o));
            nfc_npairs = PyBytes_GET_SIZE(pairs_o) / 8;
            nfc_pairs = copy;
        }
        f_no = (uint8_t)no;
        f_mark = (uint8_t)mark;
        f_maybe = (uint8_t)maybe;
        f_impure = (uint8_t)impure;
    }
    if (!nstates) {  /* never rewritten: another thread may be counting without the GIL */
        memcpy(trans, tnew, sizeof(uint32_t) * (size_t)ns * NCODES);
        memcpy(end_cost, enew, sizeof(int64_t) * (size_t)ns);
        memcpy(resync, rptr, NCODES);
        bias = bias_v;
    }
    codes = cptr;
    if (nfc_o != Py_None) codes_full = 1;
    nstates = (int)ns;
    Py_RETURN_NONE;
}

static PyObject *py_installed(PyObject *self, PyObject *unused)
{
    return Py_BuildValue("(ii)", nstates > 0, codes_full);
}

static PyMethodDef methods[] = {
    {"milli", py_milli, METH_VARARGS, milli_doc},
    {"milli_many", py_milli_many, METH_VARARGS, milli_many_doc},
    {"suspects", py_suspects, METH_O, suspects_doc},
    {"install", py_install, METH_VARARGS, install_doc},
    {"installed", py_installed, METH_NOARGS, "installed() -> (automaton installed, full tables installed)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "normtok._ntcore",
    "NT-1 in one pass over a str, with tables installed by normtok.nt (see _ntcore.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__ntcore(void)
{
    PyObject *m, *ucd;
    keep_alive = PyList_New(0);
    if (!keep_alive) return NULL;
    ucd = PyImport_ImportModule("unicodedata");
    if (!ucd) return NULL;
    normalize = PyObject_GetAttrString(ucd, "normalize");
    Py_DECREF(ucd);
    if (!normalize) return NULL;
    m = PyModule_Create(&module);
    return m;
}
