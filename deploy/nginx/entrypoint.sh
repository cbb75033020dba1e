#!/bin/sh
# Start of the proxy image (deploy/Dockerfile, target "proxy"): render the configuration
# from the ${TZCLD_NGINX_*} environment (deploy/compose.yaml, service "nginx"), create
# nginx's state folders, check the result, then run nginx in the foreground (PID 1 gets
# the container's stop signal: SIGQUIT, a graceful stop, see compose.yaml).
set -eu
sh /opt/tzcld/nginx/render.sh /opt/tzcld/nginx/nginx.conf.template /etc/nginx/nginx.conf
mkdir -p "$TZCLD_NGINX_STATE_DIR" "$TZCLD_NGINX_LOG_DIR"
chown "$TZCLD_NGINX_USER" "$TZCLD_NGINX_STATE_DIR"
nginx -t -q
exec nginx -g 'daemon off;'
