/* fuzz_common.h: what the libFuzzer targets share: the entry point's prototype and a lab configuration. */
#ifndef SBCD_FUZZ_COMMON_H
#define SBCD_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The lab's topology without files (no TLS context), with classification
 * rules and manipulation sets that use every kind of action, so that the
 * SIP target runs classification and manipulation as the daemon does.
 */
#define FUZZ_LAB_CONF \
"global = { log_level = \"err\"; user_agent = \"sbcd\"; };\n" \
"ip_interfaces = ( { name = \"LAN\"; address = \"127.0.0.1\"; },\n" \
"  { name = \"WAN\"; address = \"127.0.0.2\"; } );\n" \
"media_realms = ( { name = \"MR-3CX\"; interface = \"LAN\"; port_start = 20000; session_legs = 100; },\n" \
"  { name = \"MR-VC\"; interface = \"WAN\"; port_start = 30000; session_legs = 100; } );\n" \
"sip_interfaces = ( { name = \"SI-3CX\"; interface = \"LAN\"; udp_port = 5060; media_realm = \"MR-3CX\"; },\n" \
"  { name = \"SI-VC\"; interface = \"WAN\"; tcp_port = 5061; media_realm = \"MR-VC\"; } );\n" \
"proxy_sets = ( { name = \"PS-3CX\"; sip_interface = \"SI-3CX\";\n" \
"    addresses = ( { address = \"127.0.0.10:5060\"; } ); },\n" \
"  { name = \"PS-VC\"; sip_interface = \"SI-VC\";\n" \
"    addresses = ( { address = \"127.0.0.20:5061\"; transport = \"tcp\"; } ); } );\n" \
"ip_profiles = ( { name = \"IPP\"; media_security = \"not-secured\"; } );\n" \
"manipulation_sets = (\n" \
"  { name = \"MS-TO-3CX\"; rules = (\n" \
"    { message_type = \"options.request\"; subject = \"header.to.url.host\";\n" \
"      action = \"modify\"; value = \"param.message.address.dst.address\"; },\n" \
"    { message_type = \"any.request\"; condition = \"header.from.url.host != 'anonymous.invalid'\";\n" \
"      subject = \"header.from.url.host\"; action = \"modify\"; value = \"'127.0.0.1'\"; },\n" \
"    { message_type = \"invite.request\"; condition = \"header.session-expires exists\";\n" \
"      subject = \"header.session-expires.refresher\"; action = \"modify\"; value = \"'uas'\"; },\n" \
"    { message_type = \"any\"; subject = \"header.x-fuzz\"; action = \"add\"; value = \"header.call-id\"; },\n" \
"    { message_type = \"invite\"; subject = \"header.request-uri.url.user\"; action = \"remove-prefix\"; value = \"'9'\"; },\n" \
"    { message_type = \"any\"; condition = \"header.user-agent contains 'x'\"; subject = \"header.user-agent\"; action = \"remove\"; } ); },\n" \
"  { name = \"MS-TO-VC\"; rules = (\n" \
"    { message_type = \"any.request\"; subject = \"header.from.url.host\"; action = \"modify\"; value = \"'127.0.0.2'\"; },\n" \
"    { message_type = \"invite.request\"; condition = \"header.p-asserted-identity exists\";\n" \
"      subject = \"header.p-asserted-identity.url.host\"; action = \"modify\"; value = \"'127.0.0.2'\"; },\n" \
"    { message_type = \"any\"; subject = \"header.to.url.user\"; action = \"add-prefix\"; value = \"'+'\"; },\n" \
"    { message_type = \"any\"; subject = \"header.from.url.user\"; action = \"normalize\"; },\n" \
"    { message_type = \"bye.response\"; subject = \"header.to.url.host\"; action = \"modify\";\n" \
"      value = \"param.message.address.src.address\"; } ); } );\n" \
"ip_groups = ( { name = \"3CX\"; proxy_set = \"PS-3CX\"; ip_profile = \"IPP\"; outbound_manipulation_set = \"MS-TO-3CX\"; },\n" \
"  { name = \"VC\"; proxy_set = \"PS-VC\"; ip_profile = \"IPP\"; inbound_manipulation_set = \"MS-TO-3CX\";\n" \
"    outbound_manipulation_set = \"MS-TO-VC\"; sip_group_name = \"lab.voiceconnector.chime.test\"; } );\n" \
"classification = ( { name = \"deny scanners\"; src_host = \"scanner.example\"; action = \"deny\"; },\n" \
"  { name = \"3CX\"; sip_interface = \"SI-3CX\"; source_address = \"127.0.0.0/28\"; ip_group = \"3CX\"; },\n" \
"  { name = \"VC by user\"; dst_user_prefix = \"+1\"; transport = \"tcp\"; ip_group = \"VC\"; } );\n" \
"routes = ( { name = \"3CX to VC\"; source_ip_group = \"3CX\"; dest_ip_group = \"VC\"; },\n" \
"  { name = \"VC to 3CX\"; source_ip_group = \"VC\"; dest_ip_group = \"3CX\"; } );\n"

#endif
