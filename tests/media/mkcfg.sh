#!/bin/sh
# mkcfg.sh ROLE DIR [IP] : write a headless baresip 1.0 config for a media test peer.
#
#   pbx   3CX stand-in:  SIP UDP 127.0.0.10:5060, plain RTP/AVP, PCMU only,
#         plays a 1000 Hz tone, RTP ports 16000-16099
#   vc    Voice Connector stand-in: SIP TLS 127.0.0.20:5061 (vc.crt+vc.key),
#         mediaenc=srtp-mand (SDES AES_CM_128_HMAC_SHA1_80), PCMU only,
#         plays 400 Hz, RTP ports 17000-17099
#   peer  anything else: set everything through the variables below
#
# Both record what they receive (sndfile: DIR/rec/dump-<time>-dec.wav) and what
# they send (-enc.wav), and are driven through ctrl_tcp on IP:4444
# (tests/media/bsctl.py).  IP overrides the role's address.
# Variables (defaults from the role): BS_TP udp|tcp|tls, BS_ENC none|srtp|srtp-mand,
# BS_TONE Hz, BS_SECONDS (tone length; baresip's aufile HANGS UP at end of file),
# BS_RTP_PORTS lo-hi, BS_CERT (cert+key PEM to make from PKI/NAME.{crt,key}),
# BS_USER (account user, default 15550001000: baresip 404s any other
# Request-URI user), PKI (build/lab/pki).
# Writes DIR/{config,accounts,tone.wav,cert.pem,rec/}.  Needs sox.
set -eu
role=${1:?usage: mkcfg.sh pbx|vc|peer DIR [IP]}
dir=${2:?usage: mkcfg.sh pbx|vc|peer DIR [IP]}
here=$(cd "$(dirname "$0")" && pwd)
PKI=${PKI:-$here/../../build/lab/pki}
case $role in
pbx)	ip=127.0.0.10 tp=udp enc=none tone=1000 ports=16000-16099 cert= ;;
vc)	ip=127.0.0.20 tp=tls enc=srtp-mand tone=400 ports=17000-17099 cert=vc ;;
*)	ip=127.0.0.30 tp=udp enc=none tone=700 ports=18000-18099 cert= ;;
esac
ip=${3:-$ip}
tp=${BS_TP:-$tp} enc=${BS_ENC:-$enc} tone=${BS_TONE:-$tone}
ports=${BS_RTP_PORTS:-$ports} cert=${BS_CERT-$cert}
secs=${BS_SECONDS:-30}
# baresip 1.0 answers only requests whose Request-URI user is its account user
# (else 404 "UA not found"): the number sbcd and the SIPp UACs dial
user=${BS_USER:-15550001000}

mkdir -p "$dir/rec"
dir=$(cd "$dir" && pwd)
rm -f "$dir"/rec/*
sox -q -n -r 8000 -c 1 -b 16 -e signed-integer "$dir/tone.wav" synth "$secs" sine "$tone" vol 0.5
certline=
if [ -n "$cert" ]; then
	(umask 077; cat "$PKI/$cert.crt" "$PKI/$cert.key" > "$dir/cert.pem")
	certline="sip_certificate		$dir/cert.pem"
fi

cat > "$dir/config" <<CFG
# baresip 1.0 headless media test peer "$role" (tests/media/mkcfg.sh)
poll_method		epoll
# UDP+TCP on this port, TLS on port+1 (when a certificate is set)
sip_listen		$ip:5060
$certline
sip_cafile		$PKI/ca.crt
call_local_timeout	30
call_max_calls		4
# no sound card: ALSA's null PCM as player; sndfile records
audio_player		alsa,null
audio_alert		alsa,null
audio_source		aufile,$dir/tone.wav
audio_level		no
ausrc_format		s16
auplay_format		s16
auenc_format		s16
audec_format		s16
audio_buffer		20-160
rtp_tos			184
# RTP sockets bind 0.0.0.0:PORT (baresip 1.0 src/stream.c): keep these away
# from sbcd's anchor ports (20000+ LAN, 30000+ WAN) and run in a private netns
rtp_ports		$ports
rtcp_mux		no
jitter_buffer_delay	5-10
rtp_stats		yes
# address put in SDP c=/o= (not the bind address)
net_interface		$ip
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			alsa.so
module			sndfile.so
module			srtp.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		$ip:4444
snd_path		$dir/rec
statmode_default	off
CFG

if [ "$enc" = none ]; then menc=; else menc=";mediaenc=$enc"; fi
echo "<sip:$user@$ip;transport=$tp>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1$menc" > "$dir/accounts"
echo "$dir"
