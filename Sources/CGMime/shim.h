#ifndef DRSOCIAL_CGMIME_SHIM_H
#define DRSOCIAL_CGMIME_SHIM_H
// GMime's type-check macros (GMIME_IS_PART …) are function-like and do not import: inline functions instead.
#include <gmime/gmime.h>

static inline int drsocial_gmime_is_part(GMimeObject *object) { return GMIME_IS_PART(object); }
static inline int drsocial_gmime_is_multipart(GMimeObject *object) { return GMIME_IS_MULTIPART(object); }
static inline int drsocial_gmime_is_message_part(GMimeObject *object) { return GMIME_IS_MESSAGE_PART(object); }
static inline int drsocial_gmime_is_text_part(GMimeObject *object) { return GMIME_IS_TEXT_PART(object); }
static inline GMimePart *drsocial_gmime_as_part(GMimeObject *object) { return GMIME_PART(object); }
static inline GMimeMultipart *drsocial_gmime_as_multipart(GMimeObject *object) { return GMIME_MULTIPART(object); }
static inline GMimeMessagePart *drsocial_gmime_as_message_part(GMimeObject *object) { return GMIME_MESSAGE_PART(object); }
static inline GMimeTextPart *drsocial_gmime_as_text_part(GMimeObject *object) { return GMIME_TEXT_PART(object); }
static inline GMimeStream *drsocial_gmime_as_stream(GMimeStreamMem *stream) { return GMIME_STREAM(stream); }
static inline GMimeObject *drsocial_gmime_message_as_object(GMimeMessage *message) { return GMIME_OBJECT(message); }
static inline GMimeObject *drsocial_gmime_as_object(void *object) { return GMIME_OBJECT(object); }
static inline GMimeStreamMem *drsocial_gmime_as_stream_mem(GMimeStream *stream) { return GMIME_STREAM_MEM(stream); }
static inline size_t drsocial_gmime_stream_null_written(GMimeStream *stream) { return GMIME_STREAM_NULL(stream)->written; }
static inline int drsocial_internet_address_is_mailbox(InternetAddress *address) { return INTERNET_ADDRESS_IS_MAILBOX(address); }
static inline int drsocial_internet_address_is_group(InternetAddress *address) { return INTERNET_ADDRESS_IS_GROUP(address); }
static inline InternetAddressMailbox *drsocial_internet_address_as_mailbox(InternetAddress *address) { return INTERNET_ADDRESS_MAILBOX(address); }
static inline InternetAddressGroup *drsocial_internet_address_as_group(InternetAddress *address) { return INTERNET_ADDRESS_GROUP(address); }
static inline void drsocial_g_object_unref(void *object) { g_object_unref(object); }
#endif
