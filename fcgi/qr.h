/* qr: a text (a booking's ticket code) as a QR code in SVG, made with
 * libqrencode (8-bit mode, error correction level M). Pure. */
#ifndef MUSEUM_QR_H
#define MUSEUM_QR_H

#include <stddef.h>

#define QR_QUIET_ZONE 4 /* light modules around the code, as ISO/IEC 18004 asks */
#define QR_MODULE_PX 8  /* the image's size in pixels per module */

/* text as an SVG image: a viewBox counted in modules (the code and its
 * quiet zone), a light background and one <path> of the dark modules, one
 * "M x y h n v1 h-n z" per run of them in a row. NUL-terminated, in a
 * buffer the caller frees; *len (if not NULL) is its length. NULL if text
 * is empty or too long for a QR code, or out of memory. */
char *qr_svg(const char *text, size_t *len);

#endif
