// The readings list's "By sensor" filter: picking a sensor (or clearing it) reloads
// the list with that filter, keeping the others and going back to the first page.
'use strict';
django.jQuery(function($) {
    $('#sensor-filter').on('change', function() {
        const url = new URL(window.location.href);
        const parameter = this.dataset.parameter;
        if (this.value) {
            url.searchParams.set(parameter, this.value);
        } else {
            url.searchParams.delete(parameter);
        }
        url.searchParams.delete('p');
        window.location.assign(url.toString());
    });
});
