/*
 *  ltdl.h -- stand-in for GNU libltdl's header, used only when the system has none.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  NEST's module_manager.h includes <ltdl.h> only to name the type of a module handle. chiplearn never
 *  calls libltdl, so the opaque handle type is all it needs; this spares users a system package.
 */

#ifndef CHIPLEARN_COMPAT_LTDL_H
#define CHIPLEARN_COMPAT_LTDL_H

typedef struct lt__handle* lt_dlhandle;

#endif
