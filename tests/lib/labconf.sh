# labconf.sh: write test variants of the lab configuration (sourced; POSIX sh).
# lab_variant FILE PS_3CX_EXTRA PS_VC_ADDRESSES [PS_VC_EXTRA]
#   PS_3CX_EXTRA:   keys added to the 3CX proxy set (e.g. load balancing)
#   PS_VC_ADDRESSES: the addresses list of the VC proxy set
#   PS_VC_EXTRA:    keys added to the VC proxy set
# The rest is conf/sbc.conf's topology: 3CX 127.0.0.10 (+ 127.0.0.11), VC
# behind stunnel on 127.0.0.20:5061, sbcd LAN 127.0.0.1:5060 / WAN 127.0.0.2:5061.
lab_variant() {
	_f=$1 _p3=$2 _pva=$3 _pvx=${4:-}
	cat > "$_f" <<EOC
global = { log_level = "debug"; control_socket = "$T/sbcd.sock"; drain_timeout = 0; };
ip_interfaces = ( { name = "LAN"; address = "127.0.0.1"; }, { name = "WAN"; address = "127.0.0.2"; } );
media_realms = (
  { name = "MR-3CX"; interface = "LAN"; port_start = 20000; session_legs = 2000; },
  { name = "MR-VC"; interface = "WAN"; port_start = 30000; session_legs = 2000; } );
tls_contexts = ( { name = "TLS-VC"; certificate = "$ROOT/build/lab/pki/sbc.crt";
  private_key = "$ROOT/build/lab/pki/sbc.key"; ca_file = "$ROOT/build/lab/pki/ca.crt"; } );
sip_interfaces = (
  { name = "SI-3CX"; interface = "LAN"; udp_port = 5060; media_realm = "MR-3CX"; },
  { name = "SI-VC"; interface = "WAN"; tls_port = 5061; media_realm = "MR-VC"; tls_context = "TLS-VC"; } );
proxy_sets = (
  { name = "PS-3CX"; sip_interface = "SI-3CX"; hot_swap = true; $_p3
    addresses = ( { address = "127.0.0.10:5060"; priority = 0; },
                  { address = "127.0.0.11:5060"; priority = 1; } ); },
  { name = "PS-VC"; sip_interface = "SI-VC"; hot_swap = true; $_pvx
    addresses = ( $_pva ); } );
ip_profiles = ( { name = "IPP-3CX"; media_security = "not-secured"; },
  { name = "IPP-VC"; media_security = "secured"; } );
ip_groups = (
  { name = "3CX"; proxy_set = "PS-3CX"; ip_profile = "IPP-3CX"; },
  { name = "VC"; proxy_set = "PS-VC"; ip_profile = "IPP-VC"; sip_group_name = "lab.voiceconnector.chime.test"; } );
routes = (
  { name = "3CX to VC"; source_ip_group = "3CX"; dest_ip_group = "VC"; },
  { name = "VC to 3CX"; source_ip_group = "VC"; dest_ip_group = "3CX"; } );
EOC
}

VC_GOOD='{ address = "127.0.0.20:5061"; transport = "tls"; tls_verify_name = "lab.voiceconnector.chime.test"; }'
