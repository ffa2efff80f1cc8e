#ifndef DRSOCIAL_CTESSERACT_SHIM_H
#define DRSOCIAL_CTESSERACT_SHIM_H
#include <tesseract/capi.h>
#endif
