#include "qr.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>

char *qr_svg(const char *text, size_t *len)
{
    QRcode *code =
        text && text[0] ? QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) : NULL;
    char *out = NULL;
    size_t size = 0;
    FILE *f;
    int w, side;

    if (!code)
        return NULL;
    w = code->width;
    side = w + 2 * QR_QUIET_ZONE;
    if (!(f = open_memstream(&out, &size))) {
        QRcode_free(code);
        return NULL;
    }
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" shape-rendering=\"crispEdges\">"
            "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
            side, side, side * QR_MODULE_PX, side * QR_MODULE_PX, side, side);
    for (int y = 0; y < w; y++) {
        for (int x = 0; x < w;) {
            int run = 0;

            /* Bit 0 of each module is dark (1) or light (0). */
            while (x + run < w && (code->data[y * w + x + run] & 1))
                run++;
            if (run > 0) {
                fprintf(f, "M%d %dh%dv1h-%dz", x + QR_QUIET_ZONE, y + QR_QUIET_ZONE, run, run);
                x += run;
            } else {
                x++;
            }
        }
    }
    fputs("\"/></svg>\n", f);
    QRcode_free(code);
    if (ferror(f)) {
        fclose(f);
        free(out);
        return NULL;
    }
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    if (len)
        *len = size;
    return out;
}
