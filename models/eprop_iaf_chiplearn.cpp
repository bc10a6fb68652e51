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
  insert_( names::learning_signal, &chiplearn::eprop_iaf_chiplearn::get_learning_signal_ );
  insert_( names::surrogate_gradient, &chiplearn::eprop_iaf_chiplearn::get_surrogate_gradient_ );
  insert_( names::eprop_history_duration, &chiplearn::eprop_iaf_chiplearn::eprop_history_duration );
  insert_( names::V_m, &chiplearn::eprop_iaf_chiplearn::get_V_m_ );
}
}  // namespace nest

