/* The page's glyphs from PDFium's text page, in C: ``_read_glyphs`` of words.py (and,
 * below, the grouping of a page's characters into words of word_groups.py).
 *
 * words.py's ``_read_glyphs_py`` is the reference: this is the same loop, statement for
 * statement, with the same arithmetic in doubles, and tests/unit/parsers/
 * test_glyphs_c.py holds the two equal on every PDF of the test corpus. In Python the
 * loop makes about five ctypes calls a character (about 4 us each character, three
 * quarters of a text payslip's character pass); here one call reads a page.
 *
 * PDFium is not linked: words.py passes the addresses of the functions pypdfium2 has
 * loaded, once (``init``). The caller holds PDFIUM_LOCK, as for any PDFium call.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

typedef struct { float left, top, right, bottom; } FS_RECTF;
typedef struct { float a, b, c, d, e, f; } FS_MATRIX;

typedef int (*count_chars_t)(void *);
typedef unsigned int (*unicode_t)(void *, int);
typedef int (*int_at_t)(void *, int);
typedef int (*box_t)(void *, int, FS_RECTF *);
typedef void *(*text_object_t)(void *, int);
typedef int (*matrix_t)(void *, int, FS_MATRIX *);
typedef int (*origin_t)(void *, int, double *, double *);
typedef double (*font_size_t)(void *, int);
typedef void *(*text_font_t)(void *);
typedef int (*font_descent_t)(void *, float, float *);

static struct {
    count_chars_t count_chars;
    unicode_t unicode;
    int_at_t generated, map_error;
    box_t loose_box;
    text_object_t text_object;
    matrix_t matrix;
    origin_t origin;
    font_size_t font_size;
    text_font_t text_font;
    font_descent_t font_descent;
} pdfium;

static PyTypeObject *glyph_type;   /* words._Glyph, a NamedTuple (a tuple subclass) */
static PyObject *default_matrix;   /* _Glyph's default matrix: (1, 0, 0, 1) */
static PyObject *space, *replacement, *zero_int;

/* What the characters of one text object share (words._Run). */
typedef struct {
    void *object;
    int valid;          /* 0: _Run.of gave None */
    PyObject *matrix;   /* (a, b, c, d) as floats */
    double a;
    int along_x, along_y;
    double low, high;
} Run;

static PyObject *new_glyph(PyObject *text, PyObject *left, PyObject *bottom,
                           PyObject *right, PyObject *top, PyObject *matrix,
                           PyObject *generated, PyObject *origin)
{
    /* Steals every reference but matrix, generated and origin's (which it takes). */
    PyObject *glyph = glyph_type->tp_alloc(glyph_type, 8);
    if (glyph == NULL || left == NULL || bottom == NULL || right == NULL || top == NULL) {
        Py_XDECREF(glyph); Py_XDECREF(text); Py_XDECREF(left); Py_XDECREF(bottom);
        Py_XDECREF(right); Py_XDECREF(top);
        return NULL;
    }
    Py_INCREF(matrix); Py_INCREF(generated); Py_INCREF(origin);
    PyTuple_SET_ITEM(glyph, 0, text);
    PyTuple_SET_ITEM(glyph, 1, left);
    PyTuple_SET_ITEM(glyph, 2, bottom);
    PyTuple_SET_ITEM(glyph, 3, right);
    PyTuple_SET_ITEM(glyph, 4, top);
    PyTuple_SET_ITEM(glyph, 5, matrix);
    PyTuple_SET_ITEM(glyph, 6, generated);
    PyTuple_SET_ITEM(glyph, 7, origin);
    return glyph;
}

/* words._Run.of: 0 on success (run->valid says whether there is a run), -1 on error. */
static int run_of(void *handle, int index, void *object, Run *run)
{
    FS_MATRIX m;
    double x, y;
    run->object = object;
    run->valid = 0;
    run->matrix = NULL;
    if (!(object && pdfium.matrix(handle, index, &m) && pdfium.origin(handle, index, &x, &y)))
        return 0;
    double ma = m.a, mb = m.b, mc = m.c, md = m.d;
    /* Used only along x (c == 0) or along y (d == 0): hypot is then exact, as Python's. */
    double across = hypot(mc, md);
    if (across == 0.0) across = 1.0;
    double font_size = pdfium.font_size(handle, index);
    double size = font_size * across;
    float descent = 0.0f;
    void *font = pdfium.text_font(object);
    double low = (font && pdfium.font_descent(font, (float)font_size, &descent))
        ? (double)descent * across : 0.0;
    int along_x = mb == 0 && mc == 0, along_y = ma == 0 && md == 0;
    double up, base;
    if (along_x) { up = md > 0 ? 1 : -1; base = y; }
    else { up = mc > 0 ? 1 : -1; base = x; }
    double one = base + up * low, other = base + up * (low + size);
    run->matrix = Py_BuildValue("(dddd)", ma, mb, mc, md);
    if (run->matrix == NULL) return -1;
    run->valid = 1;
    run->a = ma;
    run->along_x = along_x;
    run->along_y = along_y;
    /* sorted(): the smaller first; equal (or NaN) keeps the order. */
    if (other < one) { run->low = other; run->high = one; }
    else { run->low = one; run->high = other; }
    return 0;
}

static PyObject *read_glyphs(PyObject *self, PyObject *arg)
{
    void *handle = PyLong_AsVoidPtr(arg);
    if (handle == NULL && PyErr_Occurred()) return NULL;
    if (glyph_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_glyphs.init was not called");
        return NULL;
    }
    int count = pdfium.count_chars(handle);
    PyObject *glyphs = PyList_New(0);
    PyObject *seen_runs = PyDict_New();  /* a text object's address -> its index in runs */
    Run *runs = NULL;
    Py_ssize_t run_count = 0, run_room = 0, last = -1;
    if (glyphs == NULL || seen_runs == NULL) {
        Py_XDECREF(glyphs); Py_XDECREF(seen_runs);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        unsigned int code = pdfium.unicode(handle, i);
        PyObject *glyph = NULL;
        /* PDFium generates spaces and line breaks, never a letter or a digit. */
        if (!(code < 0x110000 && Py_UNICODE_ISALNUM((Py_UCS4)code))
                && pdfium.generated(handle, i) == 1) {
            if (code == 0x20) {
                Py_INCREF(space); Py_INCREF(zero_int); Py_INCREF(zero_int);
                Py_INCREF(zero_int); Py_INCREF(zero_int);
                glyph = new_glyph(space, zero_int, zero_int, zero_int, zero_int,
                                  default_matrix, Py_True, Py_None);
            } else {
                glyph = Py_None; Py_INCREF(glyph);
            }
            goto append;
        }
        PyObject *text;
        if (code == 0 || pdfium.map_error(handle, i) == 1) {
            text = replacement; Py_INCREF(text);
        } else if (code == 0x0D || code == 0x0A) {
            glyph = Py_None; Py_INCREF(glyph);
            goto append;
        } else {
            text = PyUnicode_FromOrdinal((int)(code > 0x7fffffff ? 0x7fffffff : code));
            if (text == NULL) goto error;
        }
        FS_RECTF box;
        if (!pdfium.loose_box(handle, i, &box)) {
            Py_DECREF(text);
            glyph = Py_None; Py_INCREF(glyph);
            goto append;
        }
        void *object = pdfium.text_object(handle, i);
        Run *run = NULL;
        /* Runs by text object: the last one first (a text object's glyphs follow each
         * other), then every one seen, by address. */
        if (last >= 0 && runs[last].object == object) run = &runs[last];
        PyObject *key = NULL;
        if (run == NULL) {
            key = PyLong_FromVoidPtr(object);
            PyObject *seen = key ? PyDict_GetItemWithError(seen_runs, key) : NULL;
            if (seen == NULL && PyErr_Occurred()) { Py_XDECREF(key); Py_DECREF(text); goto error; }
            if (seen != NULL) { last = PyLong_AsSsize_t(seen); run = &runs[last]; }
        }
        if (run == NULL) {
            PyObject *number = PyLong_FromSsize_t(run_count);
            if (number == NULL || PyDict_SetItem(seen_runs, key, number) < 0) {
                Py_XDECREF(number); Py_DECREF(key); Py_DECREF(text); goto error;
            }
            Py_DECREF(number);
            if (run_count == run_room) {
                Py_ssize_t room = run_room ? run_room * 2 : 16;
                Run *grown = PyMem_Realloc(runs, room * sizeof(Run));
                if (grown == NULL) {
                    Py_DECREF(key); Py_DECREF(text); PyErr_NoMemory(); goto error;
                }
                runs = grown; run_room = room;
            }
            if (run_of(handle, i, object, &runs[run_count]) < 0) {
                Py_DECREF(key); Py_DECREF(text);
                goto error;
            }
            last = run_count++;
            run = &runs[last];
        }
        Py_XDECREF(key);
        if (!run->valid) {
            glyph = new_glyph(text, PyFloat_FromDouble(box.left),
                              PyFloat_FromDouble(box.bottom), PyFloat_FromDouble(box.right),
                              PyFloat_FromDouble(box.top), default_matrix, Py_False, Py_None);
        } else if (run->along_x) {
            double ox, oy;
            PyObject *origin = Py_None;
            Py_INCREF(origin);
            if (pdfium.origin(handle, i, &ox, &oy) && run->a > 0) {
                Py_DECREF(origin);
                origin = Py_BuildValue("(NN)", PyLong_FromVoidPtr(object),
                                       PyFloat_FromDouble(ox));
                if (origin == NULL) { Py_DECREF(text); goto error; }
            }
            glyph = new_glyph(text, PyFloat_FromDouble(box.left),
                              PyFloat_FromDouble(run->low), PyFloat_FromDouble(box.right),
                              PyFloat_FromDouble(run->high), run->matrix, Py_False, origin);
            Py_DECREF(origin);
        } else if (run->along_y) {
            glyph = new_glyph(text, PyFloat_FromDouble(run->low),
                              PyFloat_FromDouble(box.bottom), PyFloat_FromDouble(run->high),
                              PyFloat_FromDouble(box.top), run->matrix, Py_False, Py_None);
        } else {
            glyph = new_glyph(text, PyFloat_FromDouble(box.left),
                              PyFloat_FromDouble(box.bottom), PyFloat_FromDouble(box.right),
                              PyFloat_FromDouble(box.top), run->matrix, Py_False, Py_None);
        }
    append:
        if (glyph == NULL) goto error;
        if (PyList_Append(glyphs, glyph) < 0) { Py_DECREF(glyph); goto error; }
        Py_DECREF(glyph);
    }
    for (Py_ssize_t k = 0; k < run_count; k++) Py_XDECREF(runs[k].matrix);
    PyMem_Free(runs);
    Py_DECREF(seen_runs);
    return glyphs;
error:
    for (Py_ssize_t k = 0; k < run_count; k++) Py_XDECREF(runs[k].matrix);
    PyMem_Free(runs);
    Py_DECREF(seen_runs);
    Py_DECREF(glyphs);
    return NULL;
}

/* words._page_chars's loop on an unturned page (/Rotate 0): each glyph inside the
 * CropBox as a Char in pdfplumber's coordinates. */
static PyObject *page_chars(PyObject *self, PyObject *args)
{
    PyObject *glyphs, *char_type, *upright_of;
    double cx0, cy0, cx1, cy1, slack, x0m, y0m, height, mb_x0, mb_top, doctop;
    if (!PyArg_ParseTuple(args, "O!OO(ddddddddddd)", &PyList_Type, &glyphs, &char_type,
                          &upright_of, &cx0, &cy0, &cx1, &cy1, &slack, &x0m, &y0m,
                          &height, &mb_x0, &mb_top, &doctop))
        return NULL;
    if (!PyType_Check(char_type)
            || !PyType_IsSubtype((PyTypeObject *)char_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "the char type must be a tuple subclass");
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)char_type;
    PyObject *chars = PyList_New(0);
    PyObject *upright = PyDict_New();  /* by the glyph's matrix, as words.py keeps it */
    PyObject *last_matrix = NULL, *last_upright = NULL;  /* borrowed from the dict */
    if (chars == NULL || upright == NULL) goto error;
    Py_ssize_t count = PyList_GET_SIZE(glyphs);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *glyph = PyList_GET_ITEM(glyphs, i);
        if (!PyTuple_Check(glyph) || PyTuple_GET_SIZE(glyph) < 6) {
            PyErr_SetString(PyExc_TypeError, "a glyph must be a _Glyph");
            goto error;
        }
        double left = PyFloat_AsDouble(PyTuple_GET_ITEM(glyph, 1));
        double bottom = PyFloat_AsDouble(PyTuple_GET_ITEM(glyph, 2));
        double right = PyFloat_AsDouble(PyTuple_GET_ITEM(glyph, 3));
        double up = PyFloat_AsDouble(PyTuple_GET_ITEM(glyph, 4));
        if (PyErr_Occurred()) goto error;
        double mid_x = (left + right) / 2, mid_y = (bottom + up) / 2;
        if (!(cx0 - slack <= mid_x && mid_x <= cx1 + slack
              && cy0 - slack <= mid_y && mid_y <= cy1 + slack))
            continue;
        double x0, x1, y0, y1;
        if (left <= right) { x0 = left - x0m; x1 = right - x0m; }
        else { x0 = right - x0m; x1 = left - x0m; }
        if (bottom <= up) { y0 = bottom - y0m; y1 = up - y0m; }
        else { y0 = up - y0m; y1 = bottom - y0m; }
        PyObject *matrix = PyTuple_GET_ITEM(glyph, 5), *is_upright;
        if (matrix == last_matrix) {
            is_upright = last_upright;
        } else {
            is_upright = PyDict_GetItemWithError(upright, matrix);
            if (is_upright == NULL) {
                if (PyErr_Occurred()) goto error;
                PyObject *value = PyObject_CallOneArg(upright_of, matrix);
                if (value == NULL) goto error;
                int stored = PyDict_SetItem(upright, matrix, value);
                Py_DECREF(value);  /* the dict holds it */
                if (stored < 0) goto error;
                is_upright = value;
            }
            last_matrix = matrix;
            last_upright = is_upright;
        }
        double top = height - y1 + mb_top;
        PyObject *fields[7] = {
            PyTuple_GET_ITEM(glyph, 0), PyFloat_FromDouble(x0 + mb_x0),
            PyFloat_FromDouble(x1 + mb_x0), PyFloat_FromDouble(top),
            PyFloat_FromDouble(height - y0 + mb_top), PyFloat_FromDouble(doctop + top),
            is_upright};
        PyObject *item = type->tp_alloc(type, 7);
        int failed = item == NULL;
        for (int k = 1; k < 6; k++) failed |= fields[k] == NULL;
        if (failed) {
            Py_XDECREF(item);
            for (int k = 1; k < 6; k++) Py_XDECREF(fields[k]);
            goto error;
        }
        Py_INCREF(fields[0]);
        Py_INCREF(fields[6]);
        for (int k = 0; k < 7; k++) PyTuple_SET_ITEM(item, k, fields[k]);
        int appended = PyList_Append(chars, item);
        Py_DECREF(item);
        if (appended < 0) goto error;
    }
    Py_DECREF(upright);
    return chars;
error:
    Py_XDECREF(chars);
    Py_XDECREF(upright);
    return NULL;
}

/* word_groups.group_words for upright text: characters to pdfplumber's words.
 *
 * word_groups.py's Python loop is the reference, held equal by tests/unit/parsers/
 * test_glyphs_c.py. The characters are ordered by (line, x0, position in content order),
 * which is what the reference's two stable sorts give; lines are chains of sorted tops
 * less than y_tolerance apart. Returns None, for the caller to use the reference, when
 * a character is not what _page_chars makes (floats, a str) or a coordinate is not
 * finite: Python orders NaN as no C comparison would. */

typedef struct { Py_ssize_t line, index; double x0; } Placed;
typedef struct { double top; Py_ssize_t index; } Top;

static int by_top(const void *a, const void *b)
{
    double x = ((const Top *)a)->top, y = ((const Top *)b)->top;
    return (x > y) - (x < y);
}

static int by_line_then_x0(const void *a, const void *b)
{
    const Placed *p = a, *q = b;
    if (p->line != q->line) return p->line < q->line ? -1 : 1;
    if (p->x0 != q->x0) return p->x0 < q->x0 ? -1 : 1;
    return (p->index > q->index) - (p->index < q->index);
}

enum { TEXT, X0, X1, TOP, BOTTOM, DOCTOP, UPRIGHT, CHAR_FIELDS };
static PyObject *key_text, *key_x0, *key_x1, *key_top, *key_doctop, *key_bottom,
    *key_upright, *key_height, *key_width, *key_direction, *ltr, *empty;

static double field(PyObject *c, int k) { return PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(c, k)); }

static int set_float(PyObject *word, PyObject *key, double value)
{
    PyObject *number = PyFloat_FromDouble(value);
    if (number == NULL) return -1;
    int failed = PyDict_SetItem(word, key, number);
    Py_DECREF(number);
    return failed;
}

/* WordExtractor.merge_chars: the word of chars[order[start:end]] appended to words. */
static int flush(PyObject *chars, const Py_ssize_t *order, Py_ssize_t start, Py_ssize_t end,
                 PyObject *ligatures, PyObject *words)
{
    if (start >= end) return 0;
    PyObject *first = PyList_GET_ITEM(chars, order[start]);
    double x0 = field(first, X0), x1 = field(first, X1);
    double top = field(first, TOP), bottom = field(first, BOTTOM);
    PyObject *texts = PyList_New(end - start);
    if (texts == NULL) return -1;
    for (Py_ssize_t i = start; i < end; i++) {
        PyObject *c = PyList_GET_ITEM(chars, order[i]);
        double v;
        if ((v = field(c, X0)) < x0) x0 = v;  /* the first of equal values, as min() */
        if ((v = field(c, X1)) > x1) x1 = v;
        if ((v = field(c, TOP)) < top) top = v;
        if ((v = field(c, BOTTOM)) > bottom) bottom = v;
        PyObject *text = PyTuple_GET_ITEM(c, TEXT);
        PyObject *mapped = PyDict_GetItemWithError(ligatures, text);
        if (mapped == NULL && PyErr_Occurred()) { Py_DECREF(texts); return -1; }
        mapped = mapped ? mapped : text;
        Py_INCREF(mapped);
        PyList_SET_ITEM(texts, i - start, mapped);
    }
    PyObject *joined = PyUnicode_Join(empty, texts);
    Py_DECREF(texts);
    PyObject *word = joined ? PyDict_New() : NULL;
    if (word == NULL) { Py_XDECREF(joined); return -1; }
    int failed = PyDict_SetItem(word, key_text, joined);
    Py_DECREF(joined);
    failed = failed || set_float(word, key_x0, x0) || set_float(word, key_x1, x1)
        || set_float(word, key_top, top)
        || set_float(word, key_doctop, top + (field(first, DOCTOP) - field(first, TOP)))
        || set_float(word, key_bottom, bottom)
        || PyDict_SetItem(word, key_upright, PyTuple_GET_ITEM(first, UPRIGHT))
        || set_float(word, key_height, bottom - top) || set_float(word, key_width, x1 - x0)
        || PyDict_SetItem(word, key_direction, ltr)
        || PyList_Append(words, word);
    Py_DECREF(word);
    return failed ? -1 : 0;
}

static int is_space(PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (length == 0) return 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < length; i++)
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) return 0;
    return 1;
}

static PyObject *group_words(PyObject *self, PyObject *args)
{
    PyObject *chars, *ligatures;
    double x_tolerance, y_tolerance;
    if (!PyArg_ParseTuple(args, "O!O!dd", &PyList_Type, &chars, &PyDict_Type, &ligatures,
                          &x_tolerance, &y_tolerance))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(chars);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(chars, i);
        if (!PyTuple_Check(c) || PyTuple_GET_SIZE(c) != CHAR_FIELDS
                || !PyUnicode_CheckExact(PyTuple_GET_ITEM(c, TEXT)))
            Py_RETURN_NONE;
        for (int k = X0; k <= DOCTOP; k++)
            if (!PyFloat_CheckExact(PyTuple_GET_ITEM(c, k)) || !isfinite(field(c, k)))
                Py_RETURN_NONE;
    }
    PyObject *words = PyList_New(0);
    Top *tops = PyMem_New(Top, n ? n : 1);
    Placed *placed = PyMem_New(Placed, n ? n : 1);
    Py_ssize_t *order = PyMem_New(Py_ssize_t, n ? n : 1);
    if (words == NULL || tops == NULL || placed == NULL || order == NULL) {
        if (words != NULL) PyErr_NoMemory();
        goto error;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        tops[i] = (Top){field(PyList_GET_ITEM(chars, i), TOP), i};
    qsort(tops, (size_t)n, sizeof(Top), by_top);
    Py_ssize_t line = 0;
    double last = n ? tops[0].top : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (tops[i].top > last + y_tolerance) line++;
        last = tops[i].top;
        Py_ssize_t index = tops[i].index;
        placed[index] = (Placed){line, index, field(PyList_GET_ITEM(chars, index), X0)};
    }
    qsort(placed, (size_t)n, sizeof(Placed), by_line_then_x0);
    for (Py_ssize_t i = 0; i < n; i++) order[i] = placed[i].index;
    Py_ssize_t start = 0;  /* the word being built: order[start:i] */
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i > start && placed[i].line != placed[i - 1].line) {
            if (flush(chars, order, start, i, ligatures, words) < 0) goto error;
            start = i;
        }
        PyObject *c = PyList_GET_ITEM(chars, order[i]);
        PyObject *text = PyTuple_GET_ITEM(c, TEXT);
        if (is_space(text)) {
            if (flush(chars, order, start, i, ligatures, words) < 0) goto error;
            start = i + 1;
        } else if (PyUnicode_GET_LENGTH(text) == 0) {
            if (flush(chars, order, start, i, ligatures, words) < 0
                    || flush(chars, order, i, i + 1, ligatures, words) < 0) goto error;
            start = i + 1;
        } else if (i > start) {
            PyObject *prev = PyList_GET_ITEM(chars, order[i - 1]);
            if (field(c, X0) < field(prev, X0)
                    || field(c, X0) > field(prev, X1) + x_tolerance
                    || fabs(field(c, TOP) - field(prev, TOP)) > y_tolerance) {
                if (flush(chars, order, start, i, ligatures, words) < 0) goto error;
                start = i;
            }
        }
    }
    if (flush(chars, order, start, n, ligatures, words) < 0) goto error;
    PyMem_Free(tops); PyMem_Free(placed); PyMem_Free(order);
    return words;
error:
    Py_XDECREF(words);
    PyMem_Free(tops); PyMem_Free(placed); PyMem_Free(order);
    return NULL;
}

static PyObject *init(PyObject *self, PyObject *args)
{
    PyObject *type, *matrix;
    unsigned long long addresses[11];
    if (!PyArg_ParseTuple(args, "OO(KKKKKKKKKKK)", &type, &matrix,
                          &addresses[0], &addresses[1], &addresses[2], &addresses[3],
                          &addresses[4], &addresses[5], &addresses[6], &addresses[7],
                          &addresses[8], &addresses[9], &addresses[10]))
        return NULL;
    if (!PyType_Check(type) || !PyType_IsSubtype((PyTypeObject *)type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "the glyph type must be a tuple subclass");
        return NULL;
    }
    for (int k = 0; k < 11; k++) {
        if (addresses[k] == 0) {
            PyErr_SetString(PyExc_ValueError, "a PDFium function address is 0");
            return NULL;
        }
    }
    pdfium.count_chars = (count_chars_t)(uintptr_t)addresses[0];
    pdfium.unicode = (unicode_t)(uintptr_t)addresses[1];
    pdfium.generated = (int_at_t)(uintptr_t)addresses[2];
    pdfium.map_error = (int_at_t)(uintptr_t)addresses[3];
    pdfium.loose_box = (box_t)(uintptr_t)addresses[4];
    pdfium.text_object = (text_object_t)(uintptr_t)addresses[5];
    pdfium.matrix = (matrix_t)(uintptr_t)addresses[6];
    pdfium.origin = (origin_t)(uintptr_t)addresses[7];
    pdfium.font_size = (font_size_t)(uintptr_t)addresses[8];
    pdfium.text_font = (text_font_t)(uintptr_t)addresses[9];
    pdfium.font_descent = (font_descent_t)(uintptr_t)addresses[10];
    Py_INCREF(type); Py_XSETREF(glyph_type, (PyTypeObject *)type);
    Py_INCREF(matrix); Py_XSETREF(default_matrix, matrix);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"init", init, METH_VARARGS,
     "init(glyph_type, default_matrix, (11 PDFium function addresses))"},
    {"read_glyphs", read_glyphs, METH_O,
     "read_glyphs(text_page_address) -> list of glyphs or None, as words._read_glyphs_py"},
    {"page_chars", page_chars, METH_VARARGS,
     "page_chars(glyphs, char_type, upright_of, (crop box, slack, MediaBox origin, height, "
     "offsets, doctop)) -> chars, as words._page_chars on a page with /Rotate 0"},
    {"group_words", group_words, METH_VARARGS,
     "group_words(chars, ligatures, x_tolerance, y_tolerance) -> words, as "
     "word_groups.group_words on upright text; None when it cannot say the same"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "parsers.payslip._glyphs",
    "A page's glyphs from PDFium in one call (see words.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__glyphs(void)
{
    space = PyUnicode_FromString(" ");
    replacement = PyUnicode_FromOrdinal(0xFFFD);
    zero_int = PyLong_FromLong(0);
    if (space == NULL || replacement == NULL || zero_int == NULL) return NULL;
    PyObject **keys[] = {&key_text, &key_x0, &key_x1, &key_top, &key_doctop, &key_bottom,
                         &key_upright, &key_height, &key_width, &key_direction, &ltr, &empty};
    const char *names[] = {"text", "x0", "x1", "top", "doctop", "bottom", "upright",
                           "height", "width", "direction", "ltr", ""};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        if ((*keys[k] = PyUnicode_InternFromString(names[k])) == NULL) return NULL;
    return PyModule_Create(&module);
}
