#!/bin/sh
# Render deploy/nginx/nginx.conf.template into an nginx configuration.
#
#   sh deploy/nginx/render.sh TEMPLATE OUTPUT     (values from the environment)
#
# Only the ${TZCLD_NGINX_*} variables are replaced (envsubst with an explicit list), so
# nginx's own variables ($host, $uri...) stay as they are. Every one of them must be set:
# a missing value stops here, before nginx would start with a broken file.
# Used by the proxy image at each start (deploy/nginx/entrypoint.sh) and on a plain VM:
#   set -a; . /etc/tzcld/nginx.env; set +a
#   sh /opt/tzcld/deploy/nginx/render.sh /opt/tzcld/deploy/nginx/nginx.conf.template /etc/nginx/nginx.conf
#   nginx -t && systemctl reload nginx
# The local cluster renders it the same way in Python (deploy/cluster.py, render_template);
# tests/test_deploy_files.py checks that both give the same file.
set -eu
template="$1"
output="$2"
names=$(grep -o '\${TZCLD_NGINX_[A-Z0-9_]*}' "$template" | sort -u | tr -d '${}')
missing=""
for name in $names; do
    eval "is_set=\${$name+yes}"
    [ "$is_set" = "yes" ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
    echo "render.sh: unset variables:$missing" >&2
    exit 2
fi
list=$(for name in $names; do printf '${%s} ' "$name"; done)
envsubst "$list" < "$template" > "$output.tmp"
mv "$output.tmp" "$output"
