/* version.h: the sbcd version string. */
#ifndef SBCD_VERSION_H
#define SBCD_VERSION_H

#define SBCD_VERSION "0.1.0"

#endif
