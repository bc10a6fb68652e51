/*
 *  eprop_iaf_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_iaf_chiplearn.h"

namespace nest
{
template <>
void
RecordablesMap< chiplearn::eprop_iaf_chiplearn >::create()
{
  chiplearn::insert_recurrent_recordables( *this );
}
}  // namespace nest

